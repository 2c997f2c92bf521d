using System.Globalization;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Observability;

/// <summary>One loop over one diagnostics period: what the loop's statistics say between two publications.</summary>
/// <param name="TargetHz">The configured rate.</param>
/// <param name="Seconds">The length of the window.</param>
/// <param name="Ticks">Ticks in the window.</param>
/// <param name="Overruns">Overruns in the window.</param>
/// <param name="TotalTicks">Ticks since the loop started.</param>
/// <param name="TotalOverruns">Overruns since the loop started.</param>
/// <param name="Wakeup">Wake-up errors in the window.</param>
/// <param name="Compute">Compute (execution) times in the window.</param>
internal readonly record struct LoopWindow(double TargetHz, double Seconds, long Ticks, long Overruns, long TotalTicks, long TotalOverruns, LatencySnapshot Wakeup, LatencySnapshot Compute)
{
    /// <summary>Gets the measured rate (0 for an empty window).</summary>
    public double RateHz => Seconds > 0 ? Ticks / Seconds : 0;
}

/// <summary>
/// Cuts a loop's running statistics into consecutive windows: each <see cref="Next"/> returns what happened since
/// the previous call (the first: since the tracker was made). Not thread-safe: one caller.
/// </summary>
internal sealed class LoopWindowTracker
{
    private readonly double _targetHz;
    private readonly TimeProvider _time;
    private Mark _mark;

    /// <summary>Initializes a new instance of the <see cref="LoopWindowTracker"/> class; the first window starts now.</summary>
    /// <param name="targetHz">The loop's configured rate.</param>
    /// <param name="time">The clock of the windows.</param>
    public LoopWindowTracker(double targetHz, TimeProvider time)
    {
        _targetHz = targetHz;
        _time = time;
        _mark = new Mark(time.GetTimestamp(), 0, 0, LatencySnapshot.Empty, LatencySnapshot.Empty);
    }

    /// <summary>Closes the window: the figures since the last call.</summary>
    /// <param name="statistics">The loop's statistics; null before its thread exists (an empty window: not ticking).</param>
    /// <returns>The window.</returns>
    public LoopWindow Next(LoopStatistics? statistics)
    {
        long now = _time.GetTimestamp();
        var current = statistics is null
            ? new Mark(now, 0, 0, LatencySnapshot.Empty, LatencySnapshot.Empty)
            : new Mark(now, statistics.Ticks, statistics.Overruns, statistics.WakeupError.Snapshot(), statistics.ComputeTime.Snapshot());
        Mark previous = _mark;
        if (current.Ticks < previous.Ticks)
        {
            previous = previous with { Ticks = 0, Overruns = 0, Wakeup = LatencySnapshot.Empty, Compute = LatencySnapshot.Empty }; // a new loop thread
        }

        _mark = current;
        return new LoopWindow(
            _targetHz, _time.GetElapsedTime(previous.At, now).TotalSeconds, current.Ticks - previous.Ticks, current.Overruns - previous.Overruns,
            current.Ticks, current.Overruns, current.Wakeup.Subtract(previous.Wakeup), current.Compute.Subtract(previous.Compute));
    }

    private readonly record struct Mark(long At, long Ticks, long Overruns, LatencySnapshot Wakeup, LatencySnapshot Compute);
}

/// <summary>
/// The thresholds of the loop statuses, in the spirit of ros2_control's controller_manager diagnostics
/// (periodicity as a share of the target rate; execution time) but relative to the loop period, so one set fits
/// a 1 kHz motor loop and a 100 Hz balance loop. WARN means "look at it", ERROR means "the loop does not do its job".
/// </summary>
internal static class DiagnosticsThresholds
{
    /// <summary>Rate off target by more than this share: WARN (ros2_control's periodicity mean-error warn: 5 %).</summary>
    public const double RateWarn = 0.05;

    /// <summary>Rate off target by more than this share: ERROR (ros2_control: 10 %).</summary>
    public const double RateError = 0.10;

    /// <summary>Wake-up error p99 above this share of the period: WARN.</summary>
    public const double WakeupP99Warn = 0.50;

    /// <summary>Wake-up error p99 above this share of the period: ERROR (a late wake-up of a whole period misses the next deadline).</summary>
    public const double WakeupP99Error = 1.00;

    /// <summary>Mean compute time above this share of the period: WARN.</summary>
    public const double ComputeWarn = 0.50;

    /// <summary>Mean compute time above this share of the period: ERROR.</summary>
    public const double ComputeError = 0.80;
}

/// <summary>
/// Turns the agent's figures into <c>diagnostic_msgs/DiagnosticStatus</c> entries: one per loop, safety, HAL and
/// uplink, named <c>edge_agent: …</c> as diagnostic_updater names its tasks, hardware id = the robot id. Pure:
/// the publisher feeds it; tests call it with chosen figures.
/// </summary>
internal static class DiagnosticsReport
{
    /// <summary>The prefix of every status name (rqt_robot_monitor and the aggregator group by it).</summary>
    public const string Prefix = "edge_agent: ";

    /// <summary>Builds every status.</summary>
    /// <param name="status">The agent's status (safety, HAL, uplink), as <c>/status</c> returns it.</param>
    /// <param name="motor">The motor loop's window.</param>
    /// <param name="balance">The balance loop's window; null when the balance loop is off.</param>
    /// <param name="halCounters">The HAL driver's counters (accepted, rejected by cause), or empty.</param>
    /// <param name="lostInWindow">Batches the uplink dead-lettered or dropped since the last publication.</param>
    /// <returns>The statuses, motor loop first.</returns>
    public static List<DiagnosticStatus> Build(AgentStatus status, LoopWindow motor, LoopWindow? balance, IReadOnlyList<KeyValuePair<string, long>> halCounters, long lostInWindow)
    {
        var list = new List<DiagnosticStatus>(5) { Loop("motor loop", status.RobotId, motor) };
        if (balance is { } b)
        {
            list.Add(Loop("balance loop", status.RobotId, b));
        }

        list.Add(Safety(status));
        list.Add(Hal(status, halCounters));
        list.Add(Uplink(status, lostInWindow));
        return list;
    }

    /// <summary>The status of one loop: rate, wake-up error, compute time and overruns against <see cref="DiagnosticsThresholds"/>.</summary>
    /// <param name="loop">The loop's name, such as <c>motor loop</c>.</param>
    /// <param name="hardwareId">The robot id.</param>
    /// <param name="w">The window.</param>
    /// <returns>The status.</returns>
    public static DiagnosticStatus Loop(string loop, string hardwareId, LoopWindow w)
    {
        double periodNs = 1e9 / w.TargetHz;
        double rateError = Math.Abs(w.RateHz - w.TargetHz) / w.TargetHz;
        long wakeP99 = w.Wakeup.ValueAtPercentile(99);
        double computeMean = w.Compute.Mean;
        var level = DiagnosticLevel.Ok;
        string message = Inv($"{w.RateHz:F0} Hz, wake-up p99 {wakeP99 / 1e3:F0} us, compute {computeMean / 1e3:F0} us");

        void Raise(DiagnosticLevel to, string why)
        {
            if (to > level)
            {
                level = to;
                message = why;
            }
        }

        if (w.Ticks == 0)
        {
            Raise(DiagnosticLevel.Error, Inv($"not ticking: no tick in {w.Seconds:F1} s"));
        }
        else
        {
            string rate = Inv($"rate {w.RateHz:F1} Hz, target {w.TargetHz:F0} Hz ({rateError * 100:F1} % off)");
            if (rateError > DiagnosticsThresholds.RateError)
            {
                Raise(DiagnosticLevel.Error, rate);
            }
            else if (rateError > DiagnosticsThresholds.RateWarn)
            {
                Raise(DiagnosticLevel.Warn, rate);
            }

            string wake = Inv($"wake-up error p99 {wakeP99 / 1e3:F0} us of a {periodNs / 1e3:F0} us period");
            if (wakeP99 > DiagnosticsThresholds.WakeupP99Error * periodNs)
            {
                Raise(DiagnosticLevel.Error, wake);
            }
            else if (wakeP99 > DiagnosticsThresholds.WakeupP99Warn * periodNs)
            {
                Raise(DiagnosticLevel.Warn, wake);
            }

            string compute = Inv($"compute mean {computeMean / 1e3:F0} us of a {periodNs / 1e3:F0} us period");
            if (computeMean > DiagnosticsThresholds.ComputeError * periodNs)
            {
                Raise(DiagnosticLevel.Error, compute);
            }
            else if (computeMean > DiagnosticsThresholds.ComputeWarn * periodNs)
            {
                Raise(DiagnosticLevel.Warn, compute);
            }

            if (w.Overruns > 0)
            {
                Raise(DiagnosticLevel.Warn, Inv($"{w.Overruns} overruns in {w.Seconds:F1} s"));
            }
        }

        return new DiagnosticStatus(level, Prefix + loop, message, hardwareId,
        [
            KV("rate_hz", w.RateHz, "F1"),
            KV("target_hz", w.TargetHz, "F0"),
            KV("periodicity_error_percent", rateError * 100, "F2"),
            KV("wakeup_error_mean_us", w.Wakeup.Mean / 1e3, "F1"),
            KV("wakeup_error_p99_us", wakeP99 / 1e3, "F1"),
            KV("wakeup_error_max_us", w.Wakeup.Max / 1e3, "F1"),
            KV("compute_mean_us", computeMean / 1e3, "F1"),
            KV("compute_max_us", w.Compute.Max / 1e3, "F1"),
            KV("overruns", w.Overruns),
            KV("overruns_total", w.TotalOverruns),
            KV("ticks_total", w.TotalTicks),
        ]);
    }

    /// <summary>The safety supervisor: OK, WARN on low battery, ERROR in a safe stop.</summary>
    /// <param name="status">The agent's status.</param>
    /// <returns>The status.</returns>
    public static DiagnosticStatus Safety(AgentStatus status)
    {
        SafetyStatus s = status.Safety;
        var level = s.State switch
        {
            "OK" => DiagnosticLevel.Ok,
            "LOW_BATTERY" => DiagnosticLevel.Warn,
            _ => DiagnosticLevel.Error,
        };
        return new DiagnosticStatus(level, Prefix + "safety", s.Summary, status.RobotId,
        [
            new("state", s.State),
            new("cause", s.Cause),
            new("category", s.Category),
            new("phase", s.Phase),
            KV("trips", s.Trips),
            KV("longest_control_gap_ms", s.LongestControlGapMs, "F2"),
            KV("max_control_gap_ms", s.MaxControlGapMs, "F0"),
        ]);
    }

    /// <summary>The HAL: OK while fresh measurements arrive, ERROR when none came in the health window.</summary>
    /// <param name="status">The agent's status.</param>
    /// <param name="counters">The driver's counters.</param>
    /// <returns>The status.</returns>
    public static DiagnosticStatus Hal(AgentStatus status, IReadOnlyList<KeyValuePair<string, long>> counters)
    {
        HalSummary h = status.Hal;
        var values = new List<KeyValuePair<string, string>>(6 + counters.Count)
        {
            new("driver", h.Driver),
            new("fresh", h.Fresh ? "true" : "false"),
            KV("fresh_measurements", h.FreshMeasurements),
            KV("not_fresh_ticks", h.NotFreshTicks),
            KV("tilt_deg", h.TiltDeg, "F2"),
            KV("battery_percent", h.BatteryPercent, "F1"),
        };
        foreach (var (key, value) in counters)
        {
            values.Add(KV(key, value));
        }

        return h.Fresh
            ? new DiagnosticStatus(DiagnosticLevel.Ok, Prefix + "hal", h.Driver + ": fresh", status.RobotId, values)
            : new DiagnosticStatus(DiagnosticLevel.Error, Prefix + "hal", h.Driver + ": no fresh measurement (" + status.Reason + ")", status.RobotId, values);
    }

    /// <summary>
    /// The uplink: OK while the breaker is closed and nothing is lost; WARN while the breaker is open or half open
    /// (batches wait in the spill) or batches were dead-lettered or dropped in the window; ERROR when the spill
    /// cannot be written. In flight-recorder mode the uplink is off by design: OK.
    /// </summary>
    /// <param name="status">The agent's status.</param>
    /// <param name="lostInWindow">Batches dead-lettered or dropped since the last publication.</param>
    /// <returns>The status.</returns>
    public static DiagnosticStatus Uplink(AgentStatus status, long lostInWindow)
    {
        UplinkStatus u = status.Uplink;
        long pending = u.PendingMemory + u.PendingSpill;
        var (level, message) =
            u.SpillDiskFull ? (DiagnosticLevel.Error, Inv($"the spill cannot be written (disk full or read-only); {pending} batches pending"))
            : u.Mode == "flight_recorder" ? (DiagnosticLevel.Ok, Inv($"flight recorder: {u.PendingSpill} batches in the spill"))
            : u.Breaker != "closed" ? (DiagnosticLevel.Warn, Inv($"breaker {u.Breaker}: {u.Endpoint} unreachable, {pending} batches pending"))
            : lostInWindow > 0 ? (DiagnosticLevel.Warn, Inv($"{lostInWindow} batches lost since the last report (dead-lettered {u.DeadLettered}, dropped {u.DroppedQuota + u.DroppedDiskFull} in all)"))
            : (DiagnosticLevel.Ok, Inv($"{u.Acked} acked, {pending} pending"));
        return new DiagnosticStatus(level, Prefix + "uplink", message, status.RobotId,
        [
            new("mode", u.Mode),
            new("endpoint", u.Endpoint),
            new("breaker", u.Breaker),
            KV("built", u.Built),
            KV("acked", u.Acked),
            KV("pending_memory", u.PendingMemory),
            KV("pending_spill", u.PendingSpill),
            KV("dead_lettered", u.DeadLettered),
            KV("dropped_quota", u.DroppedQuota),
            KV("dropped_disk_full", u.DroppedDiskFull),
            KV("spill_bytes", u.SpillBytes),
            KV("spill_quota_bytes", u.SpillQuotaBytes),
        ]);
    }

    private static KeyValuePair<string, string> KV(string key, double value, string format) => new(key, value.ToString(format, CultureInfo.InvariantCulture));

    private static KeyValuePair<string, string> KV(string key, long value) => new(key, value.ToString(CultureInfo.InvariantCulture));

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
