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
// Locking: _lock guards the queue and the spill calls (SpillLog is also safe on its own). A batch held in
// memory whose record is in the spill (a live batch in `always` mode, a replay in flight) is claimed in the spill
// (SpillLog.Claim): the replay skips it, and the quota counts it only when its send ends.
// Invariant: every built batch ends in exactly one of: acked, spilled (replayed later or counted as dropped
// by the quota), dead-lettered.
using System.Buffers;
using EdgeAgent.Configuration;
using EdgeAgent.Sampling;
using EdgeAgent.Spill;
using EdgeAgent.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Uplink;

/// <summary>Batches the sampled telemetry and delivers it upstream, spilling to disk whatever cannot be delivered.</summary>
internal sealed partial class TelemetryUplink : IDisposable
{
    private const int MaxInFlight = 16;
    private const int ReplayWindow = 16;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly AgentOptions _options;
    private readonly ITelemetryQueue<TelemetrySample> _ring;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BatchEncoder _encoder;
    private readonly IBatchSender? _sender;
    private readonly TelemetrySample[] _batch;
    private readonly ArrayBufferWriter<byte> _encoded = new(64 * 1024);
    private readonly Lock _lock = new();
    private readonly LinkedList<PendingBatch> _queue = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight);
    private readonly CancellationTokenSource _sendCancel = new();
    private long _queuedBytes;
    private int _batchCount;
    private long _batchStarted;
    private ulong _nextSeq;
    private volatile bool _reopenCursor;
    private long _slowDownUntil;

    // The ledger (UplinkAccounting), changed only under _lock.
    private readonly long _recovered;
    private long _built;
    private long _acked;
    private long _deadLettered;
    private long _memoryOnly;
    private long _droppedDiskFull;
    private readonly long _damagedAtOpen;
    private long _failedSends;
    private long _failingSince;

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
        _options = options;
        _ring = ring;
        _logger = logger;
        _time = time;
        BootId = bootId;
        _batch = new TelemetrySample[options.Uplink.BatchSize];
        _encoder = new BatchEncoder(options.Robot.Id, bootId, options.Robot.Joints.Select(j => j.Name).ToArray());
        Spill = SpillLog.Open(options.Spill, logger, time);
        DeadLetter = SpillLog.Open(DeadLetterOptions(options.Spill, Spill.Directory), logger, time);
        if (options.Uplink.Endpoint.Length > 0)
        {
            _sender = senderFactory is null ? new BatchSender(options.Uplink, Counters, logger, time) : senderFactory(Counters);
            UplinkLog.Streaming(logger, options.Uplink.Endpoint, options.Uplink.BatchSize, options.Spill.Mode == SpillMode.Always ? "always" : "on_failure", Spill.Directory);
        }
        else
        {
            UplinkLog.FlightRecorder(logger, Spill.Directory, options.Spill.QuotaBytes >> 20);
        }

        SpillStatistics opened = Spill.Statistics;
        _recovered = opened.PendingRecords;
        _damagedAtOpen = opened.CorruptRecordsSkipped;
        if (_recovered > 0)
        {
            UplinkLog.Backlog(logger, _recovered);
        }
    }

    /// <summary>Gets this run's boot id.</summary>
    public string BootId { get; }

    /// <summary>Gets the uplink counters.</summary>
    public UplinkCounters Counters { get; } = new();

    /// <summary>Gets where every batch is now (see <see cref="UplinkAccounting"/>); exact at any moment.</summary>
    public UplinkAccounting Accounting
    {
        get
        {
            lock (_lock)
            {
                SpillStatistics spill = Spill.Statistics;
                return new UplinkAccounting
                {
                    Recovered = _recovered,
                    Built = _built,
                    Acked = _acked,
                    DeadLettered = _deadLettered,
                    PendingMemory = _memoryOnly + spill.Orphaned,
                    PendingSpill = spill.PendingRecords,
                    DroppedQuota = spill.DroppedBatches,
                    DroppedDiskFull = _droppedDiskFull + spill.DroppedDiskFull,
                    Damaged = spill.CorruptRecordsSkipped - _damagedAtOpen,
                };
            }
        }
    }

    /// <summary>Gets the spill.</summary>
    public SpillLog Spill { get; }

    /// <summary>Gets the dead-letter spill (batches the upstream rejected for good).</summary>
    public SpillLog DeadLetter { get; }

    /// <summary>Gets a value indicating whether there is no upstream (flight-recorder mode).</summary>
    public bool FlightRecorder => _sender is null;

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
        Task producer = ProduceAsync(stoppingToken);
        Task sender = _sender is null ? Task.CompletedTask : SendLoopAsync(stoppingToken);
        Task replay = _sender is null ? Task.CompletedTask : ReplayLoopAsync(stoppingToken);
        await Task.WhenAll(producer, sender, replay).ConfigureAwait(false);
        await StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _sender?.Dispose();
        Spill.Dispose();
        DeadLetter.Dispose();
        _sendCancel.Dispose();
        _queued.Dispose();
        _inFlight.Dispose();
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

    private async Task ProduceAsync(CancellationToken stoppingToken)
    {
        // Drain four times per batch fill time (10-100 ms): often enough that a full ring never waits long,
        // rarely enough that an idle robot's uplink costs nothing (100 Hz sampling: every 100 ms).
        double fillSeconds = _options.Uplink.BatchSize / _options.Sampling.RateHz;
        TimeSpan period = TimeSpan.FromSeconds(Math.Clamp(fillSeconds / 4, 0.010, 0.100));
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                DrainRing(flushPartial: false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Moves samples from the ring into batches; emits every full batch and an old partial one.</summary>
    /// <param name="flushPartial">Emit a partial batch now (at stop).</param>
    internal void DrainRing(bool flushPartial)
    {
        while (_ring.TryRead(out TelemetrySample sample))
        {
            if (_batchCount == 0)
            {
                _batchStarted = _time.GetTimestamp();
            }

            _batch[_batchCount++] = sample;
            if (_batchCount == _batch.Length)
            {
                Emit();
            }
        }

        if (_batchCount > 0 && (flushPartial || _time.GetElapsedTime(_batchStarted) >= _options.Uplink.BatchMaxAge))
        {
            Emit();
        }
    }

    private void Emit()
    {
        ulong seq = _nextSeq++;
        _encoded.ResetWrittenCount();
        _encoder.Encode(seq, _batch.AsSpan(0, _batchCount), replay: false, _encoded);
        _batchCount = 0;
        Counters.Built();
        var key = new BatchKey(_options.Robot.Id, BootId, seq);
        lock (_lock)
        {
            _built++;
            if (_sender is null)
            {
                if (Spill.TryAppend(key, _encoded.WrittenSpan, out _))
                {
                    Counters.SpilledOne();
                }
                else
                {
                    _droppedDiskFull++; // flight recorder: the disk is the only place it could go
                }

                return;
            }

            SpillPosition? position = null;
            if (_options.Spill.Mode == SpillMode.Always && Spill.TryAppend(key, _encoded.WrittenSpan, out SpillPosition appended))
            {
                position = appended;
                Spill.Claim(appended);
            }

            // Without a record (on_failure mode, or the spill's disk is full) the batch lives only in memory.
            var batch = new PendingBatch(key, _encoded.WrittenSpan, position);
            if (position is null)
            {
                _memoryOnly++;
            }

            _queue.AddLast(batch);
            _queuedBytes += batch.Length;
            EnforceMemoryBudget();
        }

        _queued.Release();
    }

    private void EnforceMemoryBudget()
    {
        int moved = 0;
        while (_queuedBytes > _options.Uplink.MemoryQueueBytes && _queue.First is { } oldest)
        {
            _queue.RemoveFirst();
            _queuedBytes -= oldest.Value.Length;
            KeepForReplay(oldest.Value);
            moved++;
        }

        if (moved > 0)
        {
            UplinkLog.QueueOverBudget(_logger, moved);
        }
    }

    /// <summary>Leaves a batch that was not delivered to the replay: spills it, or (always mode) releases its live claim.</summary>
    private void KeepForReplay(PendingBatch batch)
    {
        if (batch.Position is { } position)
        {
            Spill.Release(position);
            _reopenCursor = true;
        }
        else
        {
            _memoryOnly--;
            if (Spill.TryAppend(batch.Key, batch.Payload.Span, out SpillPosition position2))
            {
                batch.Position = position2;
                Counters.SpilledOne();
            }
            else
            {
                _droppedDiskFull++;
            }
        }

        batch.Release();
    }
}
