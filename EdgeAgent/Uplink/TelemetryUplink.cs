// Design: the uplink, between the sample ring and the upstream.
//
// Loops (async, thread pool: the uplink is not a real-time path, the motor loop never waits on it):
//   producer  every 10-100 ms (a quarter of the batch fill time): drains the ring into a batch of uplink.batch_size samples, encodes a full (or
//             batch_max_age old) batch with the next seq, and queues it. In `always` mode it first appends
//             the batch to the spill; the send waits until that append is durable (group commit).
//   sender    takes batches oldest first, up to MaxInFlight at once, through BatchSender (one Polly pipeline).
//             Acked → done (the spill record, if any, is acknowledged). Rejected for good → dead-letter spill.
//             Failed → in `on_failure` mode appended to the spill; in `always` mode it is there already.
//   replay    reads the spill backlog oldest first (a cursor from the acknowledged low-water mark) and sends it
//             with replay = true, at most replay_rate_per_second, while live batches keep flowing. A failure
//             stops it for a back-off, and it resumes from the low-water mark (acked records are skipped).
// Memory: the queue holds at most memory_queue_bytes; past it the oldest batches are spilled (`on_failure`)
// or just dropped from memory (`always`: they are durable already, replay sends them).
// Without an endpoint (flight recorder) every batch goes straight to the spill.
// Stop: final drain of the ring and the partial batch, a short grace for in-flight sends, then everything
// still in memory is spilled and the spill committed. Nothing promised is dropped without being counted.
//
// Types: BatchProducer (producer), LiveSender (sender), BacklogReplayer (replay), each with one job, meet only
// in the UplinkLedger: the memory queue, the spills and the counts behind one lock, where the invariant lives
// (every built batch ends in exactly one of: acked, spilled, dead-lettered). This class composes them and
// owns the stop. The upstream is an IBatchSender (the gRPC BatchSender, or a test's scripted upstream).
using EdgeAgent.Configuration;
using EdgeAgent.Sampling;
using EdgeAgent.Spill;
using EdgeAgent.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Uplink;

/// <summary>Batches the sampled telemetry and delivers it upstream, spilling to disk whatever cannot be delivered.</summary>
internal sealed class TelemetryUplink : IDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IBatchSender? _sender;
    private readonly UplinkLedger _ledger;
    private readonly BatchProducer _producer;
    private readonly LiveSender? _live;
    private readonly BacklogReplayer? _replayer;
    private readonly TimeSpan _drainPeriod;
    private readonly CancellationTokenSource _sendCancel = new();

    /// <summary>Initializes a new instance of the <see cref="TelemetryUplink"/> class and opens (recovers) the spill.</summary>
    /// <param name="options">The validated configuration.</param>
    /// <param name="ring">The ring the motor loop's sampler writes.</param>
    /// <param name="bootId">This agent run's id: with the robot id and seq, the key of every batch.</param>
    /// <param name="logger">The uplink logger.</param>
    /// <param name="time">The time provider.</param>
    public TelemetryUplink(AgentOptions options, ITelemetryQueue<TelemetrySample> ring, string bootId, ILogger logger, TimeProvider time)
        : this(options, ring, bootId, logger, time, senderFactory: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TelemetryUplink"/> class with a sender of the caller's (tests: a scripted upstream).</summary>
    /// <param name="options">The validated configuration.</param>
    /// <param name="ring">The sample ring (its read end).</param>
    /// <param name="bootId">This run's stream id.</param>
    /// <param name="logger">The uplink logger.</param>
    /// <param name="time">The clock of every timer, back-off and age.</param>
    /// <param name="senderFactory">Makes the sender from the counters (null: the gRPC <see cref="BatchSender"/>); used only when an endpoint is set.</param>
    internal TelemetryUplink(AgentOptions options, ITelemetryQueue<TelemetrySample> ring, string bootId, ILogger logger, TimeProvider time, Func<UplinkCounters, IBatchSender>? senderFactory)
    {
        _logger = logger;
        _time = time;
        BootId = bootId;
        SpillLog spill = SpillLog.Open(options.Spill, logger, time);
        SpillLog deadLetter = SpillLog.Open(DeadLetterOptions(options.Spill, spill.Directory), logger, time);
        bool streaming = options.Uplink.Endpoint.Length > 0;
        _ledger = new UplinkLedger(spill, deadLetter, Counters, options.Uplink.MemoryQueueBytes, streaming, options.Spill.Mode == SpillMode.Always, logger, time);
        var encoder = new BatchEncoder(options.Robot.Id, bootId, options.Robot.Joints.Select(j => j.Name).ToArray());
        _producer = new BatchProducer(ring, _ledger, encoder, options.Robot.Id, bootId, options.Uplink.BatchSize, options.Uplink.BatchMaxAge, time);

        // Drain four times per batch fill time (10-100 ms): often enough that a full ring never waits long,
        // rarely enough that an idle robot's uplink costs nothing (100 Hz sampling: every 100 ms).
        double fillSeconds = options.Uplink.BatchSize / options.Sampling.RateHz;
        _drainPeriod = TimeSpan.FromSeconds(Math.Clamp(fillSeconds / 4, 0.010, 0.100));
        if (streaming)
        {
            _sender = senderFactory is null ? new BatchSender(options.Uplink, Counters, logger, time) : senderFactory(Counters);
            _live = new LiveSender(_ledger, _sender, _sendCancel, time);
            _replayer = new BacklogReplayer(_ledger, _sender, options.Uplink, logger, time, _sendCancel.Token);
            UplinkLog.Streaming(logger, options.Uplink.Endpoint, options.Uplink.BatchSize, options.Spill.Mode == SpillMode.Always ? "always" : "on_failure", spill.Directory);
        }
        else
        {
            UplinkLog.FlightRecorder(logger, spill.Directory, options.Spill.QuotaBytes >> 20);
        }

        if (_ledger.Recovered > 0)
        {
            UplinkLog.Backlog(logger, _ledger.Recovered);
        }
    }

    /// <summary>Gets this run's boot id.</summary>
    public string BootId { get; }

    /// <summary>Gets the uplink counters.</summary>
    public UplinkCounters Counters { get; } = new();

    /// <summary>Gets where every batch is now (see <see cref="UplinkAccounting"/>); exact at any moment.</summary>
    public UplinkAccounting Accounting => _ledger.Accounting;

    /// <summary>Gets the spill.</summary>
    public SpillLog Spill => _ledger.Spill;

    /// <summary>Gets the dead-letter spill (batches the upstream rejected for good).</summary>
    public SpillLog DeadLetter => _ledger.DeadLetter;

    /// <summary>Gets a value indicating whether there is no upstream (flight-recorder mode).</summary>
    public bool FlightRecorder => _sender is null;

    /// <summary>Gets the gRPC channel to the fleet (its invoker and call headers) for the command link; null without one (flight recorder, or a test's scripted upstream).</summary>
    internal (Grpc.Core.CallInvoker Invoker, Grpc.Core.Metadata Headers)? FleetChannel => _sender is BatchSender grpc ? (grpc.Invoker, grpc.Headers) : null;

    /// <summary>Sends the partial batch now (a fleet <c>flush_telemetry</c>), on the producer's next drain.</summary>
    /// <returns>What was flushed.</returns>
    public Task<string> FlushAsync() => _producer.RequestFlush();

    /// <summary>Gets the uplink circuit breaker's state (closed in flight-recorder mode: there is no upstream).</summary>
    public Polly.CircuitBreaker.CircuitState BreakerState => _sender?.BreakerState ?? Polly.CircuitBreaker.CircuitState.Closed;

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled, then drains and spills what is left.</summary>
    /// <param name="stoppingToken">Stops the uplink.</param>
    /// <returns>A task that completes when everything is delivered or durable in the spill.</returns>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        // From the stop request on, every send in flight (live or replay, mid-retry or not) has StopGrace to
        // finish; then it is cancelled and its batch kept for replay, so the stop never outlasts the host's timeout.
        using CancellationTokenRegistration graceOnStop = stoppingToken.Register(() => _sendCancel.CancelAfter(StopGrace));
        Task producer = _producer.RunAsync(_drainPeriod, stoppingToken);
        Task sender = _live?.RunAsync(stoppingToken) ?? Task.CompletedTask;
        Task replay = _replayer?.RunAsync(stoppingToken) ?? Task.CompletedTask;
        await Task.WhenAll(producer, sender, replay).ConfigureAwait(false);
        await StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _sender?.Dispose();
        _ledger.Dispose();
        _live?.Dispose();
        _sendCancel.Dispose();
    }

    private static SpillOptions DeadLetterOptions(SpillOptions spill, string spillDirectory) => new()
    {
        Mode = SpillMode.Always,
        Directory = Path.Combine(spillDirectory, SpillDirectoryScanner.DeadLetterDirectory),
        SegmentBytes = Math.Min(spill.SegmentBytes, 4L << 20),
        QuotaBytes = Math.Max(Math.Min(spill.QuotaBytes / 8, 256L << 20), 2 * Math.Min(spill.SegmentBytes, 4L << 20)),
        CommitInterval = spill.CommitInterval,
        CommitBytes = Math.Min(spill.CommitBytes, 64L << 10),
        Fsync = spill.Fsync,
    };

    private async Task StopAsync()
    {
        _producer.DrainRing(flushPartial: true);

        // What is still queued gets sent within a short grace (a healthy upstream means no disk write at stop);
        // then in-flight sends are cancelled and whatever did not make it is kept for replay.
        if (_live is not null)
        {
            await _live.DrainAsync(_time.GetTimestamp() + (long)(StopGrace.TotalSeconds * _time.TimestampFrequency)).ConfigureAwait(false);
        }

        int kept = _ledger.SpillQueued();
        if (kept > 0)
        {
            UplinkLog.StoppedSpilled(_logger, kept);
        }

        UplinkAccounting ledger = Accounting;
        if (ledger.Balanced)
        {
            UplinkLog.Stopped(_logger, ledger.ToString());
        }
        else
        {
            UplinkLog.AccountingImbalance(_logger, ledger.ToString());
        }
    }
}
