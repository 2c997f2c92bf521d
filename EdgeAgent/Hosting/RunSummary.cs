using System.Diagnostics;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Spill;
using EdgeAgent.Uplink;

namespace EdgeAgent.Hosting;

/// <summary>Writes the JSON run summary (<c>run --summary FILE</c>) at exit.</summary>
internal static class RunSummary
{
    /// <summary>Writes the summary of a finished run.</summary>
    /// <param name="path">The file to write (replaced atomically).</param>
    /// <param name="options">The configuration the run used.</param>
    /// <param name="parts">The control stack.</param>
    /// <param name="loops">The loop threads (stopped).</param>
    /// <param name="uplink">The telemetry uplink (stopped).</param>
    /// <param name="reloader">The configuration reloader (its last result).</param>
    /// <param name="wallTime">How long the loops ran.</param>
    public static void Write(string path, AgentOptions options, ControlParts parts, ControlLoopsService loops, TelemetryUplink uplink, ConfigReloader reloader, TimeSpan wallTime)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        string temp = path + ".tmp";
        using (var stream = File.Create(temp))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("robot_id", options.Robot.Id);
            json.WriteString("version", typeof(RunSummary).Assembly.GetName().Version?.ToString(3));
            json.WriteString("hal", options.Hal.Driver.ToString().ToLowerInvariant());
            WriteHal(json, parts);
            json.WriteNumber("duration_s", Math.Round(wallTime.TotalSeconds, 3));
            WriteLoop(json, "motor", options.Motor.RateHz, loops.Motor);
            WriteLoop(json, "balance", options.Balance.RateHz, loops.Balance);
            WriteSafety(json, parts, loops);
            WriteReload(json, reloader);
            WriteTelemetry(json, parts, uplink);
            WriteProcess(json, loops, wallTime);
            json.WriteEndObject();
        }

        File.Move(temp, path, overwrite: true);
    }

    private static void WriteHal(Utf8JsonWriter json, ControlParts parts)
    {
        LatencySnapshot age = parts.Motor.StateAge.Snapshot();
        json.WriteStartObject("hal_state");
        json.WriteNumber("fresh_measurements", age.Count);
        json.WriteNumber("not_fresh_ticks", parts.Motor.NotFreshReads);
        json.WriteNumber("age_p50_us", Math.Round(LoopFigures.Us(age.ValueAtPercentile(50)), 1));
        json.WriteNumber("age_p99_us", Math.Round(LoopFigures.Us(age.ValueAtPercentile(99)), 1));
        json.WriteNumber("age_max_us", Math.Round(LoopFigures.Us(age.Max), 1));
        if (parts.Hal is IHalDiagnostics diagnostics)
        {
            foreach ((string name, long value) in diagnostics.Counters())
            {
                json.WriteNumber(name, value);
            }
        }

        json.WriteEndObject();
    }

    private static void WriteLoop(Utf8JsonWriter json, string name, double targetHz, LoopThread? loop)
    {
        json.WriteStartObject(name);
        json.WriteBoolean("enabled", loop is not null);
        json.WriteNumber("target_hz", targetHz);
        if (loop is not null)
        {
            LoopFigures f = LoopFigures.Of(loop.Statistics);
            json.WriteNumber("rate_hz", Math.Round(f.RateHz, 2));
            json.WriteNumber("ticks", f.Ticks);
            json.WriteNumber("overruns", f.Overruns);
            json.WriteStartObject("wakeup_error");
            json.WriteNumber("p50_us", Math.Round(f.WakeP50Us, 2));
            json.WriteNumber("p99_us", Math.Round(f.WakeP99Us, 2));
            json.WriteNumber("p999_us", Math.Round(f.WakeP999Us, 2));
            json.WriteNumber("max_us", Math.Round(f.WakeMaxUs, 2));
            json.WriteEndObject();
            json.WriteStartObject("compute");
            json.WriteNumber("p50_us", Math.Round(f.ComputeP50Us, 2));
            json.WriteNumber("p99_us", Math.Round(f.ComputeP99Us, 2));
            json.WriteNumber("max_us", Math.Round(f.ComputeMaxUs, 2));
            json.WriteEndObject();
            json.WriteNumber("allocated_bytes", f.AllocatedBytes);
            json.WriteString("realtime", RealtimeText.Describe(loop.Report));
        }

        json.WriteEndObject();
    }

    private static void WriteSafety(Utf8JsonWriter json, ControlParts parts, ControlLoopsService loops)
    {
        // "state" is the state the run ended in before the shutdown stop; "final_state" includes that stop.
        SafetySupervisor safety = parts.Safety;
        json.WriteStartObject("safety");
        json.WriteString("state", SafetyText.State(loops.StateBeforeStop));
        json.WriteString("cause", SafetyText.Cause(loops.CauseBeforeStop));
        json.WriteString("final_state", SafetyText.State(safety.State));
        json.WriteString("final_cause", SafetyText.Cause(safety.Cause));
        json.WriteString("stop_category", SafetyText.Category(safety.Category));
        json.WriteString("stop_phase", SafetyText.Phase(safety.Phase));
        json.WriteString("detail", SafetyText.Summary(safety, parts.Tuning.Current.Safety));
        json.WriteNumber("shutdown_stop_ms", Math.Round(loops.ShutdownStopTime.TotalMilliseconds, 1));
        json.WriteNumber("safe_writes", parts.Motor.SafeWrites);
        json.WriteNumber("resets_refused", safety.ResetsRefused);
        json.WriteNumber("longest_control_gap_ms", Math.Round(safety.Stalls.LongestGapNs / 1e6, 3));
        json.WriteNumber("longest_balance_gap_ms", Math.Round(safety.Stalls.LongestBalanceGapNs / 1e6, 3));
        json.WriteNumber("max_tilt_deg", Math.Round(parts.BalanceLoop.MaxAbsTilt * 180.0 / Math.PI, 2));
        json.WriteStartObject("trips");
        foreach (SafetyCause cause in Enum.GetValues<SafetyCause>())
        {
            if (cause != SafetyCause.None)
            {
                json.WriteNumber(SafetyText.Cause(cause), safety.Trips(cause));
            }
        }

        json.WriteEndObject();
        json.WriteStartObject("escalations");
        foreach (StopEscalation reason in Enum.GetValues<StopEscalation>())
        {
            if (reason != StopEscalation.None)
            {
                json.WriteNumber(SafetyText.Escalation(reason), safety.Escalations(reason));
            }
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteReload(Utf8JsonWriter json, ConfigReloader reloader)
    {
        json.WriteStartObject("reload");
        json.WriteNumber("applied", reloader.Applied);
        json.WriteNumber("rejected", reloader.Rejected);
        if (reloader.LastResult is { } last)
        {
            json.WriteString("last_at", last.At);
            json.WriteString("last_result", last.Applied ? "applied" : "rejected");
            json.WriteString("last_message", last.Message);
        }

        json.WriteEndObject();
    }

    private static void WriteTelemetry(Utf8JsonWriter json, ControlParts parts, TelemetryUplink uplink)
    {
        UplinkCounters c = uplink.Counters;
        SpillStatistics spill = uplink.Spill.Statistics;
        json.WriteStartObject("telemetry");
        json.WriteString("boot_id", uplink.BootId);
        json.WriteString("mode", uplink.FlightRecorder ? "flight_recorder" : "streaming");
        json.WriteString("spill_directory", uplink.Spill.Directory);
        json.WriteNumber("sampled", parts.Sampler.Sampled);
        json.WriteNumber("ring_dropped", parts.Ring.Dropped);
        json.WriteNumber("batches_built", c.BatchesBuilt);
        json.WriteNumber("batches_sent", c.BatchesSent);
        json.WriteNumber("batches_acked", c.BatchesAcked);
        json.WriteNumber("duplicates_acked", c.DuplicatesAcked);
        json.WriteNumber("spilled", c.Spilled);
        json.WriteNumber("spill_appended", spill.Appended);
        json.WriteNumber("spill_pending", spill.PendingRecords);
        json.WriteNumber("replayed", c.Replayed);
        json.WriteNumber("spill_dropped", spill.DroppedBatches);
        json.WriteNumber("dead_lettered", c.DeadLettered);
        json.WriteNumber("corrupt_records_skipped", spill.CorruptRecordsSkipped);
        json.WriteNumber("quarantined_files", spill.QuarantinedFiles);
        json.WriteNumber("torn_tails_truncated", spill.TornTailsTruncated);
        json.WriteNumber("send_failures", c.SendFailures);
        json.WriteNumber("retries", c.Retries);
        json.WriteNumber("breaker_opened", c.BreakerOpened);
        json.WriteNumber("breaker_closed", c.BreakerClosed);
        json.WriteNumber("last_rtt_ms", Math.Round(c.LastRttMs, 3));
        json.WriteNumber("spill_refused", spill.Refused);
        json.WriteNumber("spill_unwritable_episodes", spill.UnwritableEpisodes);

        // recovered + built = acked + dead_lettered + pending_memory + pending_spill + dropped_quota + dropped_disk_full + damaged
        UplinkAccounting a = uplink.Accounting;
        json.WriteStartObject("accounting");
        json.WriteNumber("recovered", a.Recovered);
        json.WriteNumber("built", a.Built);
        json.WriteNumber("acked", a.Acked);
        json.WriteNumber("dead_lettered", a.DeadLettered);
        json.WriteNumber("pending_memory", a.PendingMemory);
        json.WriteNumber("pending_spill", a.PendingSpill);
        json.WriteNumber("dropped_quota", a.DroppedQuota);
        json.WriteNumber("dropped_disk_full", a.DroppedDiskFull);
        json.WriteNumber("damaged", a.Damaged);
        json.WriteBoolean("balanced", a.Balanced);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteProcess(Utf8JsonWriter json, ControlLoopsService loops, TimeSpan wallTime)
    {
        using var process = Process.GetCurrentProcess();
        json.WriteStartObject("process");
        json.WriteNumber("cpu_percent_of_one_core", Math.Round(100.0 * process.TotalProcessorTime.TotalSeconds / Math.Max(1e-3, (DateTime.Now - process.StartTime).TotalSeconds), 2));
        json.WriteNumber("loops_cpu_percent_of_one_core", Math.Round(100.0 * loops.LoopsCpuTime.TotalSeconds / Math.Max(1e-3, wallTime.TotalSeconds), 2));
        json.WriteNumber("rss_mb", Math.Round(process.WorkingSet64 / (1024.0 * 1024.0), 1));
        json.WriteNumber("peak_rss_mb", Math.Round(process.PeakWorkingSet64 / (1024.0 * 1024.0), 1));
        json.WriteNumber("start_to_first_tick_ms", Math.Round(loops.StartToFirstTick.TotalMilliseconds, 1));
        json.WriteNumber("gc_gen0", GC.CollectionCount(0));
        json.WriteNumber("gc_gen1", GC.CollectionCount(1));
        json.WriteNumber("gc_gen2", GC.CollectionCount(2));
        json.WriteNumber("gc_pause_total_ms", Math.Round(GC.GetTotalPauseDuration().TotalMilliseconds, 2));
        json.WriteNumber("managed_heap_mb", Math.Round(GC.GetTotalMemory(false) / (1024.0 * 1024.0), 1));
        json.WriteNumber("loops_wall_s", Math.Round(wallTime.TotalSeconds, 3));
        json.WriteEndObject();
    }
}
