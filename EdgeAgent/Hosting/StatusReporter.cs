using System.Globalization;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Observability;
using EdgeAgent.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// Logs safety state changes and the readiness changes (events), sends the one-line state to systemd
/// (<c>sd_notify STATUS=</c>, what <c>systemctl status</c> shows) every interval, and prints the periodic
/// status line for a person at a terminal (<c>observability.status_line</c>: by default not under systemd,
/// where the journal gets events only). Reads the loops' statistics from outside the loop threads.
/// </summary>
internal sealed class StatusReporter : BackgroundService
{
    private readonly ControlLoopsService _loops;
    private readonly ControlParts _parts;
    private readonly RunSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TelemetryUplink _uplink;
    private readonly ConfigReloader? _reloader;
    private readonly ISystemdNotifier? _notifier;
    private readonly AgentStatusSource? _status;
    private readonly HealthMonitor? _health;

    /// <summary>Initializes a new instance of the <see cref="StatusReporter"/> class.</summary>
    public StatusReporter(
        ControlLoopsService loops, ControlParts parts, RunSettings settings, ILogger<StatusReporter> logger, TimeProvider time, TelemetryUplink uplink,
        ConfigReloader? reloader = null, ISystemdNotifier? notifier = null, AgentStatusSource? status = null, HealthMonitor? health = null)
    {
        _notifier = notifier;
        _status = status;
        _health = health;
        _reloader = reloader;
        _uplink = uplink;
        _loops = loops;
        _parts = parts;
        _settings = settings;
        _logger = logger;
        _time = time;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        TimeSpan interval = _settings.StatusInterval > TimeSpan.Zero ? _settings.StatusInterval : TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(interval, _time);
        var motor = new Interval();
        var balance = new Interval();
        SafetyState lastState = SafetyState.Ok;
        StopPhase lastPhase = StopPhase.None;
        StopEscalation lastEscalation = StopEscalation.None;
        long start = _time.GetTimestamp();
        bool timingReported = false;
        bool underSystemd = _notifier?.IsEnabled == true;
        bool printLine = _settings.StatusInterval > TimeSpan.Zero && _parts.Options.Observability.StatusLine switch
        {
            StatusLineMode.Always => true,
            StatusLineMode.Never => false,
            _ => !underSystemd,
        };
        bool? wasReady = null;
        bool? candidate = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                SafetySupervisor safety = _parts.Safety;
                SafetyState state = safety.State;
                if (state != lastState)
                {
                    if (state == SafetyState.SafeStop)
                    {
                        HostingLog.SafeStopLatched(_logger, SafetyText.Cause(safety.Cause), SafetyText.Detail(safety, _parts.Tuning.Current.Safety), SafetyText.Category(safety.Category));
                    }
                    else
                    {
                        HostingLog.SafetyStateChanged(_logger, SafetyText.State(state));
                    }

                    lastState = state;
                }

                StopPhase phase = safety.Phase;
                if (phase != lastPhase)
                {
                    if (phase != StopPhase.None)
                    {
                        HostingLog.StopPhaseChanged(_logger, SafetyText.Phase(phase));
                    }

                    lastPhase = phase;
                }

                StopEscalation escalation = safety.LastEscalation;
                if (escalation != lastEscalation)
                {
                    if (escalation != StopEscalation.None)
                    {
                        HostingLog.StopEscalated(_logger, SafetyText.Escalation(escalation));
                    }

                    lastEscalation = escalation;
                }

                if (!timingReported && _loops.Motor is { } motorLoop && _time.GetElapsedTime(start) >= KernelReport.ObservationTime)
                {
                    timingReported = true;
                    ReportTiming(motorLoop);
                }

                if (_health is not null && _status is not null)
                {
                    AgentStatus status = _status.Take();
                    // An event when readiness changes and holds for two intervals: a loaded VM's one-second dip
                    // of the loop rate does not fill the journal.
                    bool confirmed = candidate == status.Ready;
                    candidate = status.Ready;
                    if (_health.Current.Alive && status.Ready != wasReady && confirmed)
                    {
                        if (status.Ready)
                        {
                            HostingLog.Ready(_logger, status.OneLine());
                        }
                        else if (wasReady is not null)
                        {
                            HostingLog.NotReady(_logger, status.Reason);
                        }

                        wasReady = status.Ready;
                    }

                    if (underSystemd)
                    {
                        _notifier!.Notify(new ServiceState("STATUS=" + status.OneLine()));
                    }
                }

                if (!printLine || _loops.Motor is null)
                {
                    continue;
                }

                string line = string.Create(
                    CultureInfo.InvariantCulture,
                    $"[{_time.GetElapsedTime(start).TotalSeconds,5:F0}s] motor {motor.Next(_loops.Motor.Statistics)} | balance {(_loops.Balance is null ? "off" : balance.Next(_loops.Balance.Statistics))} | {Robot()} | {Uplink()}");
                HostingLog.Status(_logger, line);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private string Robot()
    {
        var s = _parts.Motor.State;
        string safety = SafetyText.Summary(_parts.Safety, _parts.Tuning.Current.Safety);
        string reload = _reloader?.LastResult is { } last
            ? string.Create(CultureInfo.InvariantCulture, $" | reload {(last.Applied ? "applied" : "REJECTED")} {last.At.ToLocalTime():HH:mm:ss}")
            : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"tilt {s.Imu.TiltRad * 180.0 / Math.PI,5:+0.00;-0.00}° batt {s.Battery.Level * 100.0,5:F1}% | safety {safety}{reload}");
    }

    private string Uplink()
    {
        UplinkCounters c = _uplink.Counters;
        long pending = _uplink.Spill.Statistics.PendingRecords;
        return _uplink.FlightRecorder
            ? string.Create(CultureInfo.InvariantCulture, $"uplink FLIGHT-RECORDER: {pending} batches in the spill")
            : string.Create(CultureInfo.InvariantCulture, $"uplink {c.BatchesAcked} acked, {pending} spilled pending{BreakerText(_uplink.BreakerState)}");
    }

    private static string BreakerText(Polly.CircuitBreaker.CircuitState state) => state switch
    {
        Polly.CircuitBreaker.CircuitState.Open or Polly.CircuitBreaker.CircuitState.Isolated => ", breaker OPEN",
        Polly.CircuitBreaker.CircuitState.HalfOpen => ", breaker half-open (trial call)",
        _ => string.Empty,
    };

    private void ReportTiming(LoopThread motor)
    {
        string line = KernelReport.Expectation(KernelReport.Read(), motor.Statistics.SleepLatency.Snapshot(), _parts.Safety.Stalls.LongestGapNs, _parts.Tuning.Current.Safety.MaxControlGapNs, out bool good);
        if (good)
        {
            HostingLog.TimingExpectationGood(_logger, line);
        }
        else
        {
            HostingLog.TimingExpectation(_logger, line);
        }
    }

    /// <summary>Turns cumulative loop statistics into the figures of the last interval.</summary>
    private sealed class Interval
    {
        private LatencySnapshot? _lastWake;
        private long _lastTicks;
        private long _lastOverruns;
        private long _lastNs;

        public string Next(LoopStatistics stats)
        {
            LatencySnapshot wake = stats.WakeupError.Snapshot();
            long ticks = stats.Ticks;
            long overruns = stats.Overruns;
            long now = MonotonicClock.Instance.NowNs;
            LatencySnapshot window = _lastWake is null ? wake : wake.Subtract(_lastWake);
            double rate = _lastNs == 0 ? stats.MeasuredRateHz : (ticks - _lastTicks) * 1e9 / Math.Max(1, now - _lastNs);
            long newOverruns = overruns - _lastOverruns;
            _lastWake = wake;
            _lastTicks = ticks;
            _lastOverruns = overruns;
            _lastNs = now;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{rate,7:F1} Hz jitter p99 {LoopFigures.Us(window.ValueAtPercentile(99)),5:F1}µs max {LoopFigures.Us(window.Max),6:F1}µs ovr {overruns}{(newOverruns > 0 ? $" (+{newOverruns})" : string.Empty)}");
        }
    }
}
