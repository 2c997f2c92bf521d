using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Spill;
using EdgeAgent.Uplink;

namespace EdgeAgent.Hosting;

/// <summary>
/// The JSON run summary (<c>run --summary FILE</c>), written at exit: a record per section, serialized by a
/// source-generated context (snake_case). The schema is documented in docs/RUN_SUMMARY.md; tests and scripts
/// read it, so a renamed property is a breaking change.
/// </summary>
/// <param name="RobotId">robot.id.</param>
/// <param name="Version">The agent's version.</param>
/// <param name="Hal">The HAL driver.</param>
/// <param name="HalState">The HAL's freshness and the driver's counters.</param>
/// <param name="DurationS">How long the loops ran, in seconds.</param>
/// <param name="Motor">The motor loop.</param>
/// <param name="Balance">The balance loop.</param>
/// <param name="Safety">The safety supervisor.</param>
/// <param name="Reload">Configuration reloads.</param>
/// <param name="Telemetry">The sampler, the uplink and the spill.</param>
/// <param name="Process">The process's CPU, memory, GC and start-up.</param>
internal sealed record RunSummary(
    string RobotId, string? Version, string Hal, HalStateSummary HalState, double DurationS, LoopSummary Motor, LoopSummary Balance,
    SafetySummary Safety, ReloadSummary Reload, TelemetrySummary Telemetry, ProcessSummary Process)
{
    /// <summary>Takes the summary of a finished run.</summary>
    /// <param name="options">The configuration the run used.</param>
    /// <param name="parts">The control stack.</param>
    /// <param name="loops">The loop threads (stopped).</param>
    /// <param name="uplink">The telemetry uplink (stopped).</param>
    /// <param name="reloader">The configuration reloader (its last result).</param>
    /// <param name="wallTime">How long the loops ran.</param>
    /// <returns>The summary.</returns>
    public static RunSummary Take(AgentOptions options, ControlParts parts, ControlLoopsService loops, TelemetryUplink uplink, ConfigReloader reloader, TimeSpan wallTime) => new(
        options.Robot.Id,
        typeof(RunSummary).Assembly.GetName().Version?.ToString(3),
        options.Hal.Driver.ToString().ToLowerInvariant(),
        HalStateSummary.Of(parts),
        Math.Round(wallTime.TotalSeconds, 3),
        LoopSummary.Of(options.Motor.RateHz, loops.Motor),
        LoopSummary.Of(options.Balance.RateHz, loops.Balance),
        SafetySummary.Of(parts, loops),
        new ReloadSummary(reloader.Applied, reloader.Rejected, reloader.LastResult?.At, reloader.LastResult is { } r ? (r.Applied ? "applied" : "rejected") : null, reloader.LastResult?.Message),
        TelemetrySummary.Of(parts, uplink),
        ProcessSummary.Of(loops, wallTime));

    /// <summary>Writes the summary of a finished run (replacing <paramref name="path"/> atomically).</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The configuration the run used.</param>
    /// <param name="parts">The control stack.</param>
    /// <param name="loops">The loop threads (stopped).</param>
    /// <param name="uplink">The telemetry uplink (stopped).</param>
    /// <param name="reloader">The configuration reloader.</param>
    /// <param name="wallTime">How long the loops ran.</param>
    public static void Write(string path, AgentOptions options, ControlParts parts, ControlLoopsService loops, TelemetryUplink uplink, ConfigReloader reloader, TimeSpan wallTime)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        string temp = path + ".tmp";
        using (FileStream stream = File.Create(temp))
        {
            JsonSerializer.Serialize(stream, Take(options, parts, loops, uplink, reloader, wallTime), RunSummaryJson.Default.RunSummary);
        }

        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>The HAL in the run summary: measurement freshness and age, and the driver's own counters beside them.</summary>
internal sealed class HalStateSummary
{
    /// <summary>Gets the ticks that took a fresh measurement.</summary>
    public long FreshMeasurements { get; init; }

    /// <summary>Gets the ticks that found none.</summary>
    public long NotFreshTicks { get; init; }

    /// <summary>Gets the median age of the measurements (µs).</summary>
    public double AgeP50Us { get; init; }

    /// <summary>Gets the 99th percentile age (µs).</summary>
    public double AgeP99Us { get; init; }

    /// <summary>Gets the largest age (µs).</summary>
    public double AgeMaxUs { get; init; }

    /// <summary>Gets the driver's counters (accepted, rejected by cause), written as properties of this object.</summary>
    [JsonExtensionData]
    public Dictionary<string, object> Counters { get; } = [];

    /// <summary>Takes the HAL's figures.</summary>
    public static HalStateSummary Of(ControlParts parts)
    {
        LatencySnapshot age = parts.Motor.StateAge.Snapshot();
        var summary = new HalStateSummary
        {
            FreshMeasurements = age.Count,
            NotFreshTicks = parts.Motor.NotFreshReads,
            AgeP50Us = Math.Round(LoopFigures.Us(age.ValueAtPercentile(50)), 1),
            AgeP99Us = Math.Round(LoopFigures.Us(age.ValueAtPercentile(99)), 1),
            AgeMaxUs = Math.Round(LoopFigures.Us(age.Max), 1),
        };
        if (parts.Hal is IHalDiagnostics diagnostics)
        {
            foreach ((string name, long value) in diagnostics.Counters())
            {
                summary.Counters[name] = value;
            }
        }

        return summary;
    }
}

/// <summary>One loop in the run summary; the figures are null (left out) when the loop was off.</summary>
internal sealed record LoopSummary(
    bool Enabled, double TargetHz, double? RateHz, long? Ticks, long? Overruns, WakeupSummary? WakeupError, ComputeSummary? Compute, long? AllocatedBytes, ThreadCounters? Thread, string? Realtime)
{
    /// <summary>Takes a loop's figures.</summary>
    public static LoopSummary Of(double targetHz, LoopThread? loop)
    {
        if (loop is null)
        {
            return new LoopSummary(false, targetHz, null, null, null, null, null, null, null, null);
        }

        LoopFigures f = LoopFigures.Of(loop.Statistics);
        return new LoopSummary(
            true, targetHz, Math.Round(f.RateHz, 2), f.Ticks, f.Overruns,
            new WakeupSummary(Math.Round(f.WakeP50Us, 2), Math.Round(f.WakeP99Us, 2), Math.Round(f.WakeP999Us, 2), Math.Round(f.WakeMaxUs, 2)),
            new ComputeSummary(Math.Round(f.ComputeP50Us, 2), Math.Round(f.ComputeP99Us, 2), Math.Round(f.ComputeMaxUs, 2), f.ComputeOver20Us),
            f.AllocatedBytes, f.Thread, RealtimeText.Describe(loop.Report));
    }
}

/// <summary>Wake-up error percentiles (µs).</summary>
internal sealed record WakeupSummary(double P50Us, double P99Us, [property: JsonPropertyName("p999_us")] double P999Us, double MaxUs);

/// <summary>Compute time percentiles (µs) and the ticks over the 20 µs compute budget.</summary>
internal sealed record ComputeSummary(double P50Us, double P99Us, double MaxUs, [property: JsonPropertyName("over_20us")] long Over20Us);

/// <summary>The safety supervisor in the run summary. <c>state</c> is the state before the shutdown stop; <c>final_state</c> includes it.</summary>
internal sealed record SafetySummary(
    string State, string Cause, string FinalState, string FinalCause, string StopCategory, string StopPhase, string Detail, double ShutdownStopMs,
    long SafeWrites, long ResetsRefused, double LongestControlGapMs, double LongestBalanceGapMs, double MaxTiltDeg,
    Dictionary<string, long> Trips, Dictionary<string, long> Escalations)
{
    /// <summary>Takes the safety figures.</summary>
    public static SafetySummary Of(ControlParts parts, ControlLoopsService loops)
    {
        SafetySupervisor safety = parts.Safety;
        return new SafetySummary(
            SafetyText.State(loops.StateBeforeStop), SafetyText.Cause(loops.CauseBeforeStop), SafetyText.State(safety.State), SafetyText.Cause(safety.Cause),
            SafetyText.Category(safety.Category), SafetyText.Phase(safety.Phase), SafetyText.Summary(safety, parts.Tuning.Current.Safety),
            Math.Round(loops.ShutdownStopTime.TotalMilliseconds, 1), parts.Motor.SafeWrites, safety.ResetsRefused,
            Math.Round(safety.Stalls.LongestGapNs / 1e6, 3), Math.Round(safety.Stalls.LongestBalanceGapNs / 1e6, 3),
            Math.Round(parts.BalanceLoop.MaxAbsTilt * 180.0 / Math.PI, 2),
            Enum.GetValues<SafetyCause>().Where(c => c != SafetyCause.None).ToDictionary(SafetyText.Cause, safety.Trips),
            Enum.GetValues<StopEscalation>().Where(e => e != StopEscalation.None).ToDictionary(SafetyText.Escalation, safety.Escalations));
    }
}

/// <summary>Configuration reloads in the run summary; the last_* fields are left out when there was none.</summary>
internal sealed record ReloadSummary(int Applied, int Rejected, DateTimeOffset? LastAt, string? LastResult, string? LastMessage);

/// <summary>The sampler, the uplink and the spill in the run summary.</summary>
internal sealed record TelemetrySummary(
    string BootId, string Mode, string SpillDirectory, long Sampled, long RingDropped, long BatchesBuilt, long BatchesSent, long BatchesAcked,
    long DuplicatesAcked, long Spilled, long SpillAppended, long SpillPending, long Replayed, long SpillDropped, long DeadLettered,
    long CorruptRecordsSkipped, long QuarantinedFiles, long TornTailsTruncated, long SendFailures, long Retries, long BreakerOpened,
    long BreakerClosed, double LastRttMs, long SpillRefused, long SpillUnwritableEpisodes, AccountingSummary Accounting)
{
    /// <summary>Takes the telemetry figures.</summary>
    public static TelemetrySummary Of(ControlParts parts, TelemetryUplink uplink)
    {
        UplinkCounters c = uplink.Counters;
        SpillStatistics spill = uplink.Spill.Statistics;
        UplinkAccounting a = uplink.Accounting;
        return new TelemetrySummary(
            uplink.BootId, uplink.FlightRecorder ? "flight_recorder" : "streaming", uplink.Spill.Directory, parts.Sampler.Sampled, parts.Ring.Dropped,
            c.BatchesBuilt, c.BatchesSent, c.BatchesAcked, c.DuplicatesAcked, c.Spilled, spill.Appended, spill.PendingRecords, c.Replayed,
            spill.DroppedBatches, c.DeadLettered, spill.CorruptRecordsSkipped, spill.QuarantinedFiles, spill.TornTailsTruncated, c.SendFailures,
            c.Retries, c.BreakerOpened, c.BreakerClosed, Math.Round(c.LastRttMs, 3), spill.Refused, spill.UnwritableEpisodes,
            new AccountingSummary(a.Recovered, a.Built, a.Acked, a.DeadLettered, a.PendingMemory, a.PendingSpill, a.DroppedQuota, a.DroppedDiskFull, a.Damaged, a.Balanced));
    }
}

/// <summary>The batch ledger: recovered + built = acked + dead_lettered + pending_memory + pending_spill + dropped_quota + dropped_disk_full + damaged.</summary>
internal sealed record AccountingSummary(
    long Recovered, long Built, long Acked, long DeadLettered, long PendingMemory, long PendingSpill, long DroppedQuota, long DroppedDiskFull, long Damaged, bool Balanced);

/// <summary>The process in the run summary.</summary>
internal sealed record ProcessSummary(
    double CpuPercentOfOneCore, double LoopsCpuPercentOfOneCore, double RssMb, double PeakRssMb, double StartToFirstTickMs,
    [property: JsonPropertyName("gc_gen0")] int GcGen0, [property: JsonPropertyName("gc_gen1")] int GcGen1, [property: JsonPropertyName("gc_gen2")] int GcGen2,
    double GcPauseTotalMs, double ManagedHeapMb, double LoopsWallS)
{
    /// <summary>Takes the process figures.</summary>
    public static ProcessSummary Of(ControlLoopsService loops, TimeSpan wallTime)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new ProcessSummary(
            Math.Round(100.0 * process.TotalProcessorTime.TotalSeconds / Math.Max(1e-3, (DateTime.Now - process.StartTime).TotalSeconds), 2),
            Math.Round(100.0 * loops.LoopsCpuTime.TotalSeconds / Math.Max(1e-3, wallTime.TotalSeconds), 2),
            Math.Round(process.WorkingSet64 / (1024.0 * 1024.0), 1), Math.Round(process.PeakWorkingSet64 / (1024.0 * 1024.0), 1),
            Math.Round(loops.StartToFirstTick.TotalMilliseconds, 1), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            Math.Round(GC.GetTotalPauseDuration().TotalMilliseconds, 2), Math.Round(GC.GetTotalMemory(false) / (1024.0 * 1024.0), 1), Math.Round(wallTime.TotalSeconds, 3));
    }
}

/// <summary>Source-generated JSON for <see cref="RunSummary"/> (snake_case, indented; nulls left out).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(long))]
internal sealed partial class RunSummaryJson : JsonSerializerContext;
