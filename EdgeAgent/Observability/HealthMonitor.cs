using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Hosting;
using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Observability;

/// <summary>What the health monitor concluded at one sample.</summary>
/// <param name="Alive">The motor loop ticked in the last sample interval.</param>
/// <param name="HalFresh">The HAL delivered at least one fresh measurement in the last sample interval.</param>
/// <param name="LoopsAtRate">The motor (and balance) loop ran within 10 % of its rate over the last second.</param>
/// <param name="SafetyOk">The safety supervisor is OK (not stopping, not latched).</param>
/// <param name="MotorRateHz">The motor loop's rate over the last second (0 before a second has passed).</param>
/// <param name="BalanceRateHz">The balance loop's rate over the last second (0 when off or before a second).</param>
/// <param name="Reason">Why the agent is not ready; empty when it is.</param>
internal readonly record struct HealthSample(bool Alive, bool HalFresh, bool LoopsAtRate, bool SafetyOk, double MotorRateHz, double BalanceRateHz, string Reason)
{
    /// <summary>Gets a value indicating whether the agent is ready: alive, HAL fresh, loops at rate, safety OK.</summary>
    public bool Ready => Alive && HalFresh && LoopsAtRate && SafetyOk;

    /// <summary>Gets a value indicating whether the systemd watchdog may be petted: the motor loop ticks and the HAL is fresh.</summary>
    public bool Healthy => Alive && HalFresh;
}

/// <summary>
/// Samples the loops from outside every few hundred milliseconds and decides what <c>/healthz</c>,
/// <c>/readyz</c>, <c>edge-agent status</c> and the systemd watchdog report. Definitions (README, "Operating"):
/// alive = the motor loop ticked in the last interval; HAL fresh = at least one fresh measurement in it;
/// loops at rate = the motor and balance loops within 10 % of their rates over the last second; ready =
/// all of those and the safety supervisor OK. Reads counters the loops already keep; never touches them.
/// </summary>
internal sealed class HealthMonitor : BackgroundService
{
    /// <summary>How often the loops are sampled.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private const int Window = 4; // samples in the rate window: one second
    private const double RateTolerance = 0.10;

    private readonly ControlParts _parts;
    private readonly TimeProvider _time;
    private readonly (long Ticks, long NotFresh, long BalanceTicks, long At)[] _history = new (long, long, long, long)[Window + 1];
    private int _samples;
    private HealthSample _current = new(false, false, false, false, 0, 0, "starting: the loops have not run yet");

    /// <summary>Initializes a new instance of the <see cref="HealthMonitor"/> class.</summary>
    public HealthMonitor(ControlParts parts, TimeProvider time)
    {
        _parts = parts;
        _time = time;
    }

    /// <summary>Gets the latest conclusion.</summary>
    public HealthSample Current
    {
        get
        {
            lock (_history)
            {
                return _current;
            }
        }
    }

    /// <summary>
    /// The one definition of alive and HAL fresh over an interval, for the monitor and the systemd watchdog:
    /// alive = the motor loop ticked; fresh = at least one of those ticks took a fresh measurement.
    /// </summary>
    /// <param name="ticks">Motor ticks in the interval.</param>
    /// <param name="notFreshTicks">Of those, the ticks that found no fresh measurement.</param>
    /// <returns>Alive and fresh.</returns>
    internal static (bool Alive, bool Fresh) Judge(long ticks, long notFreshTicks) => (ticks > 0, ticks - notFreshTicks > 0);

    /// <summary>Takes one sample now (the timer calls this; tests call it directly).</summary>
    /// <returns>The conclusion.</returns>
    public HealthSample Sample()
    {
        lock (_history)
        {
            var now = (_parts.Motor.Ticks, _parts.Motor.NotFreshReads, _parts.BalanceLoop.Ticks, _time.GetTimestamp());
            for (int i = Window; i > 0; i--)
            {
                _history[i] = _history[i - 1];
            }

            _history[0] = now;
            _samples = Math.Min(_samples + 1, Window + 1);
            _current = Conclude();
            return _current;
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            Sample();
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Sample();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private HealthSample Conclude()
    {
        if (_samples < 2)
        {
            return new HealthSample(false, false, false, false, 0, 0, "starting: the loops have not run yet");
        }

        var last = _history[0];
        var previous = _history[1];
        (bool alive, bool fresh) = Judge(last.Ticks - previous.Ticks, last.NotFresh - previous.NotFresh);
        double motorRate = 0;
        double balanceRate = 0;
        bool atRate = true;
        if (_samples == Window + 1)
        {
            var first = _history[Window];
            double seconds = _time.GetElapsedTime(first.At, last.At).TotalSeconds;
            motorRate = (last.Ticks - first.Ticks) / seconds;
            atRate = Math.Abs(motorRate - _parts.MotorRateHz) <= RateTolerance * _parts.MotorRateHz;
            if (_parts.BalanceEnabled)
            {
                balanceRate = (last.BalanceTicks - first.BalanceTicks) / seconds;
                atRate &= Math.Abs(balanceRate - _parts.BalanceRateHz) <= RateTolerance * _parts.BalanceRateHz;
            }
        }

        SafetySupervisor safety = _parts.Safety;
        bool safetyOk = safety.State == SafetyState.Ok;
        string reason =
            !alive ? "the motor loop has not ticked for " + Interval.TotalMilliseconds + " ms"
            : !fresh ? "no fresh HAL measurement for " + Interval.TotalMilliseconds + " ms"
            : !safetyOk ? $"safety {SafetyText.State(safety.State)} ({SafetyText.Cause(safety.Cause)})"
            : !atRate ? $"loops off rate: motor {motorRate:F0} Hz of {_parts.MotorRateHz:F0}" + (_parts.BalanceEnabled ? $", balance {balanceRate:F0} Hz of {_parts.BalanceRateHz:F0}" : string.Empty)
            : string.Empty;
        return new HealthSample(alive, fresh, atRate, safetyOk, motorRate, balanceRate, reason);
    }
}
