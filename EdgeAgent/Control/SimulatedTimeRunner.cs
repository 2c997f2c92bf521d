using EdgeAgent.Hal;

namespace EdgeAgent.Control;

/// <summary>
/// Runs the control loops on a simulated clock, deterministically and faster than real time: one thread,
/// every motor tick in order, the balance tick every Nth motor tick (N = motor rate / balance rate, an
/// integer by validation), exactly as the real threads would be scheduled with no jitter.
/// </summary>
internal sealed class SimulatedTimeRunner
{
    private readonly ControlParts _parts;
    private readonly Action<long> _advanceClockTo;
    private readonly long _periodNs;
    private readonly int _balanceEvery;
    private long _nextTickNs;
    private long _index;
    private bool _balanceLate;

    /// <summary>Initializes a new instance of the <see cref="SimulatedTimeRunner"/> class.</summary>
    /// <param name="parts">The control stack (its HAL must read the same simulated clock).</param>
    /// <param name="clock">The simulated clock.</param>
    /// <param name="advanceClockTo">Moves the simulated clock to a time (ns).</param>
    public SimulatedTimeRunner(ControlParts parts, IMonotonicClock clock, Action<long> advanceClockTo)
    {
        _parts = parts;
        _advanceClockTo = advanceClockTo;
        _periodNs = (long)Math.Round(1e9 / parts.MotorRateHz);
        _balanceEvery = Math.Max(1, (int)Math.Round(parts.MotorRateHz / parts.BalanceRateHz));
        _nextTickNs = clock.NowNs + _periodNs;
    }

    /// <summary>Gets or sets the total overrun count handed to the motor loop (tests inject overruns with it).</summary>
    public long Overruns { get; set; }

    /// <summary>Gets the simulated time of the last tick (ns).</summary>
    public long NowNs => _nextTickNs - _periodNs;

    /// <summary>Runs the loops for <paramref name="duration"/> of simulated time.</summary>
    /// <param name="duration">How long.</param>
    /// <param name="afterTick">Called after every motor tick with the tick index, e.g. to record or inject.</param>
    public void Run(TimeSpan duration, Action<long>? afterTick = null)
    {
        long ticks = (long)Math.Round(duration.TotalSeconds * _parts.MotorRateHz);
        for (long k = 0; k < ticks; k++)
        {
            Step();
            afterTick?.Invoke(_index - 1);
        }
    }

    /// <summary>
    /// Stalls both loops for <paramref name="duration"/> (a hypervisor or the kernel took the CPU): the clock
    /// moves on, no tick runs, and the whole periods that passed are skipped and counted as missed, exactly as
    /// <see cref="Timing.LoopThread"/> does after a late tick. The next tick runs at the first deadline after the stall;
    /// a balance deadline that passed during the stall is run late on that tick, as the woken balance thread would.
    /// </summary>
    /// <param name="duration">How long nothing runs.</param>
    /// <returns>The periods missed.</returns>
    public long Stall(TimeSpan duration)
    {
        long missed = duration.Ticks * TimeSpan.NanosecondsPerTick / _periodNs;
        long nextBalance = ((_index + _balanceEvery - 1) / _balanceEvery) * _balanceEvery;
        _balanceLate |= missed > 0 && nextBalance < _index + missed;
        _nextTickNs += missed * _periodNs;
        _index += missed;
        Overruns += missed;
        return missed;
    }

    /// <summary>Runs one motor tick (and a balance tick when one is due).</summary>
    public void Step()
    {
        long now = _nextTickNs;
        _advanceClockTo(now);
        if (_parts.BalanceEnabled && (_index % _balanceEvery == 0 || _balanceLate))
        {
            _balanceLate = false;
            _parts.BalanceLoop.Tick(now);
        }

        _parts.Motor.Tick(now, Overruns);
        _index++;
        _nextTickNs += _periodNs;
    }
}
