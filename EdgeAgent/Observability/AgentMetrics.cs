using System.Diagnostics.Metrics;
using System.Reflection;
using EdgeAgent.Commands;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Hosting;
using EdgeAgent.Uplink;
using Microsoft.Extensions.Hosting;
using Polly.CircuitBreaker;

namespace EdgeAgent.Observability;

// Design: the loops never call into this class. Counters and gauges are observable instruments whose
// callbacks read the statistics the loops already keep (Volatile reads), at scrape time, on the scraping
// thread. The histograms cannot be observable (System.Diagnostics.Metrics has no observable histogram), so a
// 1 s pump takes the difference of the loops' own LatencyHistogram snapshots and records it: one Record per
// value, at the bucket's midpoint, off the hot path (about 1 100 calls a second at the default rates). The
// bucket boundaries are advice, so any exporter (Prometheus here, OTLP for a user who adds it) uses them.

/// <summary>
/// The agent's <see cref="System.Diagnostics.Metrics"/> instruments (meter <see cref="MeterName"/>), read from
/// the statistics the loops, the safety supervisor, the HAL, the uplink, the spill and the reloader keep.
/// Names follow OpenTelemetry; the Prometheus exporter turns <c>edgeagent.loop.ticks</c> into
/// <c>edgeagent_loop_ticks_total</c>, <c>edgeagent.loop.wakeup_error</c> (s) into
/// <c>edgeagent_loop_wakeup_error_seconds</c>.
/// </summary>
internal sealed class AgentMetrics : BackgroundService
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "EdgeAgent";

    /// <summary>How often the histograms take in what the loops recorded.</summary>
    public static readonly TimeSpan PumpInterval = TimeSpan.FromSeconds(1);

    // 1 µs .. 100 ms in 1-2-5 steps: the motor period is 1 ms; max_control_gap's default is 75 ms.
    private static readonly double[] TimeBuckets =
        [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1];

    private static readonly SafetyCause[] Causes = Enum.GetValues<SafetyCause>().Where(c => c != SafetyCause.None).ToArray();

    private readonly Meter _meter;
    private readonly ControlParts _parts;
    private readonly ControlLoopsService _loops;
    private readonly TelemetryUplink _uplink;
    private readonly ConfigReloader? _reloader;
    private readonly CommandState? _commands;
    private readonly HealthMonitor _health;
    private readonly TimeProvider _time;
    private readonly Pump[] _pumps;

    /// <summary>Initializes a new instance of the <see cref="AgentMetrics"/> class.</summary>
    public AgentMetrics(ControlParts parts, ControlLoopsService loops, TelemetryUplink uplink, HealthMonitor health, TimeProvider time, ConfigReloader? reloader = null, CommandState? commands = null)
    {
        _commands = commands;
        _parts = parts;
        _loops = loops;
        _uplink = uplink;
        _health = health;
        _time = time;
        _reloader = reloader;
        _meter = new Meter(MeterName, Version);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = TimeBuckets };
        Histogram<double> wake = _meter.CreateHistogram("edgeagent.loop.wakeup_error", "s", "Wake-up error of the loop threads: wake time minus deadline.", advice: advice);
        Histogram<double> compute = _meter.CreateHistogram("edgeagent.loop.compute", "s", "Time the loop body took per tick.", advice: advice);
        Histogram<double> age = _meter.CreateHistogram("edgeagent.hal.state_age", "s", "Age of each fresh HAL measurement when the motor loop took it.", advice: advice);
        _pumps =
        [
            new Pump(() => _loops.Motor?.Statistics.WakeupError, wake, Tag("loop", "motor")),
            new Pump(() => _loops.Motor?.Statistics.ComputeTime, compute, Tag("loop", "motor")),
            new Pump(() => _loops.Balance?.Statistics.WakeupError, wake, Tag("loop", "balance")),
            new Pump(() => _loops.Balance?.Statistics.ComputeTime, compute, Tag("loop", "balance")),
            new Pump(() => _parts.Motor.StateAge, age, default),
        ];
        CreateObservables();
    }

    /// <summary>Gets the agent's version as shown in <c>edgeagent_build_info</c>.</summary>
    public static string Version { get; } =
        typeof(AgentMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(AgentMetrics).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Takes in what the loops recorded since the last pump (the timer calls this; tests call it directly).</summary>
    public void PumpHistograms()
    {
        foreach (Pump pump in _pumps)
        {
            pump.Run();
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PumpInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                PumpHistograms();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    private static Measurement<long> Flag(bool on, string key, string value) => new(on ? 1 : 0, Tag(key, value));

    private static IEnumerable<Measurement<long>> OneOf<T>(T current, string key, (T Value, string Name)[] all)
        where T : struct, Enum
    {
        foreach ((T value, string name) in all)
        {
            yield return Flag(EqualityComparer<T>.Default.Equals(value, current), key, name);
        }
    }


    private IEnumerable<Measurement<long>> LoopCounter(Func<LoopStatistics, long> read)
    {
        if (_loops.Motor is { } motor)
        {
            yield return new(read(motor.Statistics), Tag("loop", "motor"));
        }

        if (_loops.Balance is { } balance)
        {
            yield return new(read(balance.Statistics), Tag("loop", "balance"));
        }
    }

    private void CreateObservables()
    {
        Meter m = _meter;
        m.CreateObservableGauge("edgeagent.build.info", () => new Measurement<long>(1, Tag("version", Version), Tag("runtime", Environment.Version.ToString()), Tag("hal", _parts.Options.Hal.Driver.ToString().ToLowerInvariant()), Tag("robot_id", _parts.Options.Robot.Id)), null, "Always 1; the labels say which build runs on which robot.");

        // Loops.
        m.CreateObservableGauge("edgeagent.loop.rate", () => LoopRates(), "Hz", "Ticks per second over the last second.");
        m.CreateObservableGauge("edgeagent.loop.target_rate", () => LoopTargets(), "Hz", "Configured loop rate.");
        m.CreateObservableCounter("edgeagent.loop.ticks", () => LoopCounter(s => s.Ticks), "{tick}", "Ticks run.");
        m.CreateObservableCounter("edgeagent.loop.overruns", () => LoopCounter(s => s.Overruns), "{period}", "Periods skipped because a tick ran past the next deadline.");
        m.CreateObservableGauge("edgeagent.loop.allocated", () => LoopCounter(s => s.AllocatedBytes), "By", "Bytes allocated on the loop thread since its warm-up (0 is the design).");
        m.CreateObservableGauge("edgeagent.control.gap.longest", () => new Measurement<double>(_parts.Safety.Stalls.LongestGapNs / 1e9), "s", "Longest time between two motor command writes since start.");
        m.CreateObservableGauge("edgeagent.control.gap.limit", () => new Measurement<double>(_parts.Tuning.Current.Safety.MaxControlGapNs / 1e9), "s", "safety.max_control_gap: a longer gap trips a stop.");
        m.CreateObservableGauge("edgeagent.control.missed_share", () => new Measurement<double>(_parts.Safety.Stalls.MissedShare), null, "Share of motor periods missed over the stall window (0..1).");

        // Health, as /healthz and /readyz decide it.
        m.CreateObservableGauge("edgeagent.health.alive", () => new Measurement<long>(_health.Current.Alive ? 1 : 0), null, "1 while the motor loop ticks (/healthz).");
        m.CreateObservableGauge("edgeagent.health.ready", () => new Measurement<long>(_health.Current.Ready ? 1 : 0), null, "1 while the loops run at rate, the HAL is fresh and safety is OK (/readyz).");

        // Safety.
        m.CreateObservableGauge("edgeagent.safety.state", () => OneOf(_parts.Safety.State, "state", [(SafetyState.Ok, "ok"), (SafetyState.LowBattery, "low_battery"), (SafetyState.SafeStop, "safe_stop")]), null, "1 for the current safety state, 0 for the others.");
        m.CreateObservableGauge("edgeagent.safety.stop_phase", () => OneOf(_parts.Safety.Phase, "phase", [(StopPhase.None, "none"), (StopPhase.Stopping, "stopping"), (StopPhase.Lowering, "lowering"), (StopPhase.Holding, "holding"), (StopPhase.TorqueOff, "torque_off")]), null, "1 for the current phase of the stop, 0 for the others.");
        m.CreateObservableCounter("edgeagent.safety.trips", () => Causes.Select(c => new Measurement<long>(_parts.Safety.Trips(c), Tag("cause", SafetyText.Cause(c)))), "{trip}", "Safe stops latched, by cause.");
        m.CreateObservableCounter("edgeagent.safety.resets_refused", () => new Measurement<long>(_parts.Safety.ResetsRefused), "{reset}", "Operator resets refused (the cause had not gone, or a shutdown stop).");

        // HAL.
        m.CreateObservableCounter("edgeagent.hal.fresh_measurements", () => new Measurement<long>(_parts.Motor.StateAge.Count), "{measurement}", "Fresh measurements the motor loop took from the HAL.");
        m.CreateObservableCounter("edgeagent.hal.not_fresh_ticks", () => new Measurement<long>(_parts.Motor.NotFreshReads), "{tick}", "Motor ticks that found no fresh measurement.");
        m.CreateObservableCounter("edgeagent.hal.write_failures", () => new Measurement<long>(_parts.Motor.WriteFailures), "{write}", "Command writes the HAL refused.");
        m.CreateObservableCounter("edgeagent.hal.events", () => HalEvents(), "{event}", "The driver's own counters (rejected measurements by reason, and the like), by kind.");

        // Sampling.
        m.CreateObservableCounter("edgeagent.telemetry.sampled", () => new Measurement<long>(_parts.Sampler.Sampled), "{sample}", "Samples the motor loop wrote into the ring.");
        m.CreateObservableCounter("edgeagent.telemetry.ring_dropped", () => new Measurement<long>(_parts.Ring.Dropped), "{sample}", "Samples dropped because the ring was full.");

        // Uplink.
        UplinkCounters c = _uplink.Counters;
        m.CreateObservableCounter("edgeagent.uplink.batches.built", () => new Measurement<long>(c.BatchesBuilt), "{batch}", "Batches built from the ring.");
        m.CreateObservableCounter("edgeagent.uplink.batches.sent", () => new Measurement<long>(c.BatchesSent), "{batch}", "Send attempts that reached the upstream.");
        m.CreateObservableCounter("edgeagent.uplink.batches.acked", () => new Measurement<long>(c.BatchesAcked), "{batch}", "Batches the upstream acknowledged.");
        m.CreateObservableCounter("edgeagent.uplink.batches.duplicates", () => new Measurement<long>(c.DuplicatesAcked), "{batch}", "Acknowledged batches the upstream already had.");
        m.CreateObservableCounter("edgeagent.uplink.batches.spilled", () => new Measurement<long>(c.Spilled), "{batch}", "Batches written to the spill.");
        m.CreateObservableCounter("edgeagent.uplink.batches.replayed", () => new Measurement<long>(c.Replayed), "{batch}", "Batches sent again from the spill.");
        m.CreateObservableCounter("edgeagent.uplink.batches.dead_lettered", () => new Measurement<long>(c.DeadLettered), "{batch}", "Batches the upstream rejected for good (kept in the dead-letter spill).");
        m.CreateObservableCounter("edgeagent.uplink.send_failures", () => new Measurement<long>(c.SendFailures), "{call}", "Send calls that failed.");
        m.CreateObservableCounter("edgeagent.uplink.retries", () => new Measurement<long>(c.Retries), "{call}", "Retries of send calls.");
        m.CreateObservableCounter("edgeagent.uplink.breaker.opened", () => new Measurement<long>(c.BreakerOpened), "{event}", "Times the circuit breaker opened.");
        m.CreateObservableGauge("edgeagent.uplink.breaker.state", () => OneOf(_uplink.BreakerState, "state", [(CircuitState.Closed, "closed"), (CircuitState.Open, "open"), (CircuitState.HalfOpen, "half_open"), (CircuitState.Isolated, "isolated")]), null, "1 for the breaker's current state, 0 for the others.");
        m.CreateObservableGauge("edgeagent.uplink.rtt", () => new Measurement<double>(c.LastRttMs / 1000.0), "s", "Round-trip time of the last acknowledged call.");
        m.CreateObservableGauge("edgeagent.uplink.ledger", () => Ledger(), "{batch}", "Where every batch is (the summary's ledger): acked, dead_lettered, pending_memory, pending_spill, dropped_quota, dropped_disk_full, damaged, recovered, built.");
        m.CreateObservableGauge("edgeagent.uplink.ledger.imbalance", () => new Measurement<long>(_uplink.Accounting.Imbalance), "{batch}", "What the ledger is out by; always 0 unless there is a bug.");

        // Spill.
        m.CreateObservableGauge("edgeagent.spill.size", () => new Measurement<long>(_uplink.Spill.Statistics.DiskBytes), "By", "Bytes of spill segments on disk.");
        m.CreateObservableGauge("edgeagent.spill.pending", () => new Measurement<long>(_uplink.Spill.Statistics.PendingRecords), "{batch}", "Unacknowledged batches in the spill.");
        m.CreateObservableGauge("edgeagent.spill.quota", () => new Measurement<long>(_parts.Options.Spill.QuotaBytes), "By", "spill.quota_bytes.");
        m.CreateObservableGauge("edgeagent.spill.unwritable", () => new Measurement<long>(_uplink.Spill.Statistics.Unwritable ? 1 : 0), null, "1 while the spill's disk is full or failing.");
        m.CreateObservableCounter("edgeagent.spill.dropped", () => SpillDropped(), "{batch}", "Batches the spill could not keep, by cause (quota, disk_full).");
        m.CreateObservableGauge("edgeagent.spill.dead_letter.pending", () => new Measurement<long>(_uplink.DeadLetter.Statistics.PendingRecords), "{batch}", "Batches in the dead-letter spill.");

        // Configuration reloads.
        m.CreateObservableCounter("edgeagent.config.reloads", () => Reloads(), "{reload}", "Reloads (SIGHUP, systemctl reload) by result (applied, rejected).");
        m.CreateObservableGauge("edgeagent.config.last_reload_success", () => LastReload(), null, "1 if the last reload was applied, 0 if rejected; absent before the first.");

        // Fleet commands.
        m.CreateObservableCounter("edgeagent.commands", () => Commands(), "{command}", "Fleet commands received, by result (done, refused: rejected, expired or not permitted).");
        m.CreateObservableGauge("edgeagent.commands.link.connected", () => CommandLinkUp(), null, "1 while the fleet command link is open, 0 while it reconnects; absent when it is off.");
        m.CreateObservableGauge("edgeagent.commands.charge_requested", () => ChargeRequested(), null, "1 while a send_to_charger request is pending for the robot's controller.");
    }

    private IEnumerable<Measurement<double>> LoopRates()
    {
        HealthSample h = _health.Current;
        yield return new(h.MotorRateHz, Tag("loop", "motor"));
        if (_parts.BalanceEnabled)
        {
            yield return new(h.BalanceRateHz, Tag("loop", "balance"));
        }
    }

    private IEnumerable<Measurement<double>> LoopTargets()
    {
        yield return new(_parts.MotorRateHz, Tag("loop", "motor"));
        if (_parts.BalanceEnabled)
        {
            yield return new(_parts.BalanceRateHz, Tag("loop", "balance"));
        }
    }

    private IEnumerable<Measurement<long>> HalEvents()
    {
        if (_parts.Hal is IHalDiagnostics diagnostics)
        {
            foreach ((string name, long value) in diagnostics.Counters())
            {
                yield return new(value, Tag("kind", name));
            }
        }
    }

    private IEnumerable<Measurement<long>> Ledger()
    {
        UplinkAccounting a = _uplink.Accounting;
        yield return new(a.Recovered, Tag("place", "recovered"));
        yield return new(a.Built, Tag("place", "built"));
        yield return new(a.Acked, Tag("place", "acked"));
        yield return new(a.DeadLettered, Tag("place", "dead_lettered"));
        yield return new(a.PendingMemory, Tag("place", "pending_memory"));
        yield return new(a.PendingSpill, Tag("place", "pending_spill"));
        yield return new(a.DroppedQuota, Tag("place", "dropped_quota"));
        yield return new(a.DroppedDiskFull, Tag("place", "dropped_disk_full"));
        yield return new(a.Damaged, Tag("place", "damaged"));
    }

    private IEnumerable<Measurement<long>> SpillDropped()
    {
        UplinkAccounting a = _uplink.Accounting;
        yield return new(a.DroppedQuota, Tag("cause", "quota"));
        yield return new(a.DroppedDiskFull, Tag("cause", "disk_full"));
    }

    private IEnumerable<Measurement<long>> Reloads()
    {
        if (_reloader is null)
        {
            yield break;
        }

        yield return new(_reloader.Applied, Tag("result", "applied"));
        yield return new(_reloader.Rejected, Tag("result", "rejected"));
    }

    private IEnumerable<Measurement<long>> Commands()
    {
        if (_commands is null)
        {
            yield break;
        }

        yield return new(_commands.Done, Tag("result", "done"));
        yield return new(_commands.Refused, Tag("result", "refused"));
    }

    private IEnumerable<Measurement<long>> CommandLinkUp()
    {
        if (_commands is null || _commands.Link == "off")
        {
            yield break;
        }

        yield return new(_commands.Link == "connected" ? 1 : 0);
    }

    private IEnumerable<Measurement<long>> ChargeRequested()
    {
        if (_commands is not null)
        {
            yield return new(_commands.Charge is null ? 0 : 1);
        }
    }

    private IEnumerable<Measurement<long>> LastReload()
    {
        if (_reloader?.LastResult is { } last)
        {
            yield return new(last.Applied ? 1 : 0);
        }
    }

    /// <summary>Records one histogram's new values since the last run.</summary>
    private sealed class Pump(Func<LatencyHistogram?> source, Histogram<double> target, KeyValuePair<string, object?> tag)
    {
        private LatencySnapshot? _last;

        public void Run()
        {
            if (source() is not { } histogram)
            {
                return;
            }

            LatencySnapshot now = histogram.Snapshot();
            LatencySnapshot delta = _last is null ? now : now.Subtract(_last);
            _last = now;
            if (delta.Count == 0)
            {
                return;
            }

            for (int i = 0; i < delta.BucketCount; i++)
            {
                long n = delta.CountAt(i);
                if (n == 0)
                {
                    continue;
                }

                double seconds = LatencyHistogram.BucketMidpoint(i) / 1e9;
                for (long k = 0; k < n; k++)
                {
                    if (tag.Key is null)
                    {
                        target.Record(seconds);
                    }
                    else
                    {
                        target.Record(seconds, tag);
                    }
                }
            }
        }
    }
}
