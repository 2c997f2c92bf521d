using EdgeAgent.Commands;
using System.Globalization;
using System.Text.Json.Serialization;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Hosting;
using EdgeAgent.Uplink;
using Polly.CircuitBreaker;

namespace EdgeAgent.Observability;

/// <summary>One loop in <see cref="AgentStatus"/>.</summary>
internal sealed record LoopStatus(double RateHz, double TargetHz, long Ticks, long Overruns);

/// <summary>The safety supervisor in <see cref="AgentStatus"/>.</summary>
internal sealed record SafetyStatus(string State, string Cause, string Category, string Phase, string Summary, long Trips, double LongestControlGapMs, double MaxControlGapMs);

/// <summary>The HAL in <see cref="AgentStatus"/>.</summary>
internal sealed record HalSummary(string Driver, bool Fresh, long FreshMeasurements, long NotFreshTicks, double TiltDeg, double BatteryPercent);

/// <summary>The uplink and its backlog in <see cref="AgentStatus"/>.</summary>
internal sealed record UplinkStatus(
    string Mode, string Endpoint, string Breaker, long Built, long Acked, long PendingMemory, long PendingSpill, long DeadLettered,
    long DroppedQuota, long DroppedDiskFull, long SpillBytes, long SpillQuotaBytes, bool SpillDiskFull, bool LedgerBalanced);

/// <summary>The last configuration reload in <see cref="AgentStatus"/>.</summary>
internal sealed record ReloadStatus(int Applied, int Rejected, string LastResult, DateTimeOffset? LastAt, string LastMessage, long TuningVersion, int FleetOverlays);

/// <summary>The fleet command link: its state, counts, the last command, and a pending charge request.</summary>
internal sealed record CommandsStatus(string Link, long Connects, long Received, long Done, long Refused, string Last, ChargeRequest? Charge);

/// <summary>
/// What <c>GET /status</c> returns and <c>edge-agent status</c> shows: one consistent picture of a running
/// agent, taken from the same statistics as <c>/metrics</c> and the health decision of <c>/readyz</c>.
/// </summary>
internal sealed record AgentStatus(
    string RobotId, string Version, int Pid, double UptimeS, bool Ready, bool Alive, string Reason,
    LoopStatus Motor, LoopStatus? Balance, SafetyStatus Safety, HalSummary Hal, UplinkStatus Uplink, ReloadStatus Reload, CommandsStatus Commands)
{
    /// <summary>Takes the status now.</summary>
    public static AgentStatus Take(ControlParts parts, ControlLoopsService loops, TelemetryUplink uplink, HealthMonitor health, ConfigReloader? reloader, CommandState? commands, TimeSpan uptime)
    {
        HealthSample h = health.Current;
        SafetySupervisor s = parts.Safety;
        SafetyLimits limits = parts.Tuning.Current.Safety;
        long trips = Enum.GetValues<SafetyCause>().Sum(c => s.Trips(c));
        var motor = new LoopStatus(Math.Round(h.MotorRateHz, 1), parts.MotorRateHz, loops.Motor?.Statistics.Ticks ?? 0, loops.Motor?.Statistics.Overruns ?? 0);
        LoopStatus? balance = parts.BalanceEnabled
            ? new LoopStatus(Math.Round(h.BalanceRateHz, 1), parts.BalanceRateHz, loops.Balance?.Statistics.Ticks ?? 0, loops.Balance?.Statistics.Overruns ?? 0)
            : null;
        var safety = new SafetyStatus(
            SafetyText.State(s.State), s.State == SafetyState.SafeStop ? SafetyText.Cause(s.Cause) : "none", s.State == SafetyState.SafeStop ? SafetyText.Category(s.Category) : "none",
            SafetyText.Phase(s.Phase), SafetyText.Summary(s, limits), trips, Math.Round(s.Stalls.LongestGapNs / 1e6, 2), limits.MaxControlGapNs / 1e6);
        var state = parts.Motor.State;
        var hal = new HalSummary(
            parts.Options.Hal.Driver.ToString().ToLowerInvariant(), h.HalFresh, parts.Motor.StateAge.Count, parts.Motor.NotFreshReads,
            Math.Round(state.Imu.TiltRad * 180.0 / Math.PI, 2), Math.Round(state.Battery.Level * 100.0, 1));
        UplinkAccounting a = uplink.Accounting;
        var spill = uplink.Spill.Statistics;
        var up = new UplinkStatus(
            uplink.FlightRecorder ? "flight_recorder" : "streaming", parts.Options.Uplink.Endpoint, Breaker(uplink.BreakerState), a.Built, a.Acked, a.PendingMemory, a.PendingSpill,
            a.DeadLettered, a.DroppedQuota, a.DroppedDiskFull, spill.DiskBytes, parts.Options.Spill.QuotaBytes, spill.Unwritable, a.Balanced);
        ReloadResult? last = reloader?.LastResult;
        var reload = new ReloadStatus(
            reloader?.Applied ?? 0, reloader?.Rejected ?? 0, last is null ? "none" : last.Applied ? "applied" : "rejected", last?.At, last?.Message ?? string.Empty,
            parts.Tuning.Current.Version, reloader?.Overlays.Count ?? 0);
        var fleet = commands is null
            ? new CommandsStatus("off", 0, 0, 0, 0, string.Empty, null)
            : new CommandsStatus(commands.Link, commands.Connects, commands.Received, commands.Done, commands.Refused, commands.Last, commands.Charge);
        return new AgentStatus(
            parts.Options.Robot.Id, AgentMetrics.Version, Environment.ProcessId, Math.Round(uptime.TotalSeconds, 1), h.Ready, h.Alive, h.Reason,
            motor, balance, safety, hal, up, reload, fleet);
    }

    /// <summary>
    /// The state in one line, for <c>sd_notify STATUS=</c> (what <c>systemctl status</c> shows) and the first
    /// line of <c>edge-agent status</c>: <c>READY: motor 1000 Hz, balance 100 Hz, safety OK, uplink 5 acked, 0 pending</c>.
    /// </summary>
    public string OneLine()
    {
        string head = Ready ? "READY" : "NOT READY (" + Reason + ")";
        string balance = Balance is null ? "balance off" : string.Create(CultureInfo.InvariantCulture, $"balance {Balance.RateHz:F0} Hz");
        string uplink = Uplink.Mode == "flight_recorder"
            ? string.Create(CultureInfo.InvariantCulture, $"flight recorder, {Uplink.PendingSpill} in the spill")
            : string.Create(CultureInfo.InvariantCulture, $"uplink {Uplink.Acked} acked, {Uplink.PendingMemory + Uplink.PendingSpill} pending{(Uplink.Breaker == "closed" ? string.Empty : ", breaker " + Uplink.Breaker)}");
        return string.Create(CultureInfo.InvariantCulture, $"{head}: motor {Motor.RateHz:F0} Hz, {balance}, safety {Safety.Summary}, {uplink}");
    }

    private static string Breaker(CircuitState state) => state switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        _ => "closed",
    };
}

/// <summary>
/// Takes <see cref="AgentStatus"/> for everyone who shows it (<c>/status</c>, the status line, <c>/diagnostics</c>):
/// one place that knows where the figures come from, and one uptime.
/// </summary>
internal sealed class AgentStatusSource(ControlParts parts, ControlLoopsService loops, TelemetryUplink uplink, HealthMonitor health, TimeProvider time, ConfigReloader? reloader = null, CommandState? commands = null)
{
    private readonly long _started = time.GetTimestamp();

    /// <summary>Gets the control parts (the robot id, the HAL, the rates).</summary>
    public ControlParts Parts => parts;

    /// <summary>Gets the loop threads' host.</summary>
    public ControlLoopsService Loops => loops;

    /// <summary>Takes the status now.</summary>
    /// <returns>The status.</returns>
    public AgentStatus Take() => AgentStatus.Take(parts, loops, uplink, health, reloader, commands, time.GetElapsedTime(_started));
}

/// <summary>Source-generated JSON for <see cref="AgentStatus"/> (snake_case, as the summary).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(AgentStatus))]
internal sealed partial class AgentStatusJson : JsonSerializerContext;
