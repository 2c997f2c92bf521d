using EdgeAgent.Spill;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Uplink;

/// <summary>
/// Where every batch is: the memory queue, the spill, the dead-letter spill and the counts of
/// <see cref="UplinkAccounting"/>, all behind one lock. The producer adds batches, the live sender and the
/// replayer take them and settle them here; no other type touches the queue or the spills' claims.
/// </summary>
/// <remarks>
/// Invariant: every added batch ends in exactly one of acked, spilled (replayed later or counted as dropped
/// by the quota) and dead-lettered. A batch held in memory whose record is in the spill (a live batch in
/// <c>always</c> mode, a replay in flight) is claimed in the spill (<see cref="SpillLog.Claim"/>): the replay
/// skips it, and the quota counts it only when its send ends.
/// </remarks>
internal sealed class UplinkLedger : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LinkedList<PendingBatch> _queue = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _memoryQueueBytes;
    private readonly bool _writeAhead;
    private readonly bool _streaming;
    private long _queuedBytes;
    private volatile bool _reopenCursor;
    private long _slowDownUntil;

    private readonly long _recovered;
    private readonly long _damagedAtOpen;
    private long _built;
    private long _acked;
    private long _deadLettered;
    private long _memoryOnly;
    private long _droppedDiskFull;
    private long _failedSends;
    private long _failingSince;

    /// <summary>Initializes a new instance of the <see cref="UplinkLedger"/> class over opened (recovered) spills.</summary>
    /// <param name="spill">The spill: the backlog, and in <c>always</c> mode every batch before its send.</param>
    /// <param name="deadLetter">Where batches the upstream rejected for good are kept.</param>
    /// <param name="counters">The uplink counters.</param>
    /// <param name="memoryQueueBytes">The memory queue's budget (uplink.memory_queue_bytes).</param>
    /// <param name="streaming">Whether there is an upstream (else every batch goes straight to the spill: flight recorder).</param>
    /// <param name="writeAhead">Spill every batch before it is sent (spill.mode: always).</param>
    /// <param name="logger">The uplink logger.</param>
    /// <param name="time">The clock of back-offs and outage durations.</param>
    public UplinkLedger(SpillLog spill, SpillLog deadLetter, UplinkCounters counters, long memoryQueueBytes, bool streaming, bool writeAhead, ILogger logger, TimeProvider time)
    {
        Spill = spill;
        DeadLetter = deadLetter;
        Counters = counters;
        _memoryQueueBytes = memoryQueueBytes;
        _streaming = streaming;
        _writeAhead = writeAhead;
        _logger = logger;
        _time = time;
        SpillStatistics opened = spill.Statistics;
        _recovered = opened.PendingRecords;
        _damagedAtOpen = opened.CorruptRecordsSkipped;
    }

    /// <summary>Gets the spill.</summary>
    public SpillLog Spill { get; }

    /// <summary>Gets the dead-letter spill.</summary>
    public SpillLog DeadLetter { get; }

    /// <summary>Gets the uplink counters.</summary>
    public UplinkCounters Counters { get; }

    /// <summary>Gets the number of batches the spill held when it was opened (the previous run's backlog).</summary>
    public long Recovered => _recovered;

    /// <summary>Gets the time until which the upstream asked the sender to slow down (a timestamp of the clock).</summary>
    public long SlowDownUntil => Interlocked.Read(ref _slowDownUntil);

    /// <summary>Gets where every batch is now; exact at any moment.</summary>
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

    /// <summary>Takes (and clears) the request to reopen the replay cursor: a batch went back to the spill behind it.</summary>
    /// <returns>Whether the cursor must start again from the low-water mark.</returns>
    public bool TakeReopenCursor()
    {
        bool reopen = _reopenCursor;
        _reopenCursor = false;
        return reopen;
    }

    /// <summary>Asks the replayer to start again from the low-water mark.</summary>
    public void ReopenCursor() => _reopenCursor = true;

    /// <summary>Records a new batch: straight to the spill without an upstream, else into the memory queue.</summary>
    /// <param name="key">The batch's key.</param>
    /// <param name="payload">The encoded batch (copied).</param>
    public void Add(BatchKey key, ReadOnlySpan<byte> payload)
    {
        Counters.Built();
        lock (_lock)
        {
            _built++;
            if (!_streaming)
            {
                if (Spill.TryAppend(key, payload, out _))
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
            if (_writeAhead && Spill.TryAppend(key, payload, out SpillPosition appended))
            {
                position = appended;
                Spill.Claim(appended);
            }

            // Without a record (on_failure mode, or the spill's disk is full) the batch lives only in memory.
            var batch = new PendingBatch(key, payload, position);
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

    /// <summary>Waits until a batch has been added since the last wait (it may have left the queue since).</summary>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>A task that completes when a batch was added.</returns>
    public Task WaitAddedAsync(CancellationToken cancellationToken) => _queued.WaitAsync(cancellationToken);

    /// <summary>Gets the number of batches in the memory queue.</summary>
    public int QueuedCount
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Takes the oldest queued batch.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>Whether the queue held one.</returns>
    public bool TryDequeue([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PendingBatch? batch)
    {
        lock (_lock)
        {
            batch = _queue.First?.Value;
            if (batch is not null)
            {
                _queue.RemoveFirst();
                _queuedBytes -= batch.Length;
            }
        }

        return batch is not null;
    }

    /// <summary>Puts a dequeued batch back at the head of the queue (its send could not start).</summary>
    /// <param name="batch">The batch.</param>
    public void Requeue(PendingBatch batch)
    {
        lock (_lock)
        {
            _queue.AddFirst(batch);
            _queuedBytes += batch.Length;
        }
    }

    /// <summary>Leaves a batch whose send was cancelled to the replay.</summary>
    /// <param name="batch">The batch.</param>
    public void Cancelled(PendingBatch batch)
    {
        lock (_lock)
        {
            KeepForReplay(batch);
        }
    }

    /// <summary>Records what became of a batch (live or replayed) and releases its buffer.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="outcome">The send's outcome.</param>
    /// <param name="replayed">Whether it was a replay of a spilled record.</param>
    public void Settle(PendingBatch batch, SendOutcome outcome, bool replayed)
    {
        if (outcome.SlowDown > TimeSpan.Zero)
        {
            Interlocked.Exchange(ref _slowDownUntil, _time.GetTimestamp() + (long)(outcome.SlowDown.TotalSeconds * _time.TimestampFrequency));
        }

        lock (_lock)
        {
            switch (outcome.Result)
            {
                case SendResult.Acked:
                    _acked++;
                    if (_failedSends > 0)
                    {
                        UplinkLog.DeliveringAgain(_logger, _time.GetElapsedTime(_failingSince).TotalSeconds, _failedSends);
                        _failedSends = 0;
                    }

                    Acknowledge(batch);
                    if (replayed)
                    {
                        Counters.ReplayedOne();
                    }

                    batch.Release();
                    break;
                case SendResult.Rejected:
                    _deadLettered++;
                    if (!DeadLetter.TryAppend(batch.Key, batch.Payload.Span, out _))
                    {
                        UplinkLog.DeadLetterNotKept(_logger, batch.Key.Seq, DeadLetter.Directory);
                    }

                    Counters.DeadLetteredOne();
                    UplinkLog.DeadLettered(_logger, batch.Key.RobotId, batch.Key.BootId, batch.Key.Seq, outcome.Status.StatusCode, outcome.Status.Detail);
                    Acknowledge(batch);
                    batch.Release();
                    break;
                default:
                    if (replayed)
                    {
                        Spill.Release(batch.Position!.Value);
                        batch.Release();
                    }
                    else
                    {
                        // An outage is one warning, not one per batch: the count is reported when delivery resumes.
                        if (_failedSends++ == 0)
                        {
                            _failingSince = _time.GetTimestamp();
                            UplinkLog.SendFailed(_logger, $"{outcome.Status.StatusCode}: {outcome.Status.Detail}");
                        }

                        KeepForReplay(batch);
                    }

                    break;
            }
        }
    }

    /// <summary>Opens a replay cursor at the low-water mark.</summary>
    /// <returns>The cursor.</returns>
    public SpillCursor OpenCursor()
    {
        lock (_lock)
        {
            return Spill.OpenCursor();
        }
    }

    /// <summary>The next backlog record no send holds (not a live batch on its way, not a replay in flight); claims it.</summary>
    /// <param name="cursor">The replay cursor.</param>
    /// <param name="record">The record.</param>
    /// <returns>Whether there was one.</returns>
    public bool TryClaimNext(SpillCursor cursor, out SpillRecord record)
    {
        lock (_lock)
        {
            while (cursor.TryRead(out record))
            {
                if (!Spill.IsClaimed(record.Position))
                {
                    Spill.Claim(record.Position);
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Gives a claimed record back to the backlog (its replay was cancelled).</summary>
    /// <param name="position">The record.</param>
    public void Unclaim(SpillPosition position)
    {
        lock (_lock)
        {
            Spill.Release(position);
        }
    }

    /// <summary>At stop: spills every batch still queued and commits both spills.</summary>
    /// <returns>How many batches were left in the queue.</returns>
    public int SpillQueued()
    {
        int kept = 0;
        lock (_lock)
        {
            while (_queue.First is { } batch)
            {
                _queue.RemoveFirst();
                _queuedBytes -= batch.Value.Length;
                KeepForReplay(batch.Value);
                kept++;
            }

            _ = Spill.Commit();
            _ = DeadLetter.Commit();
        }

        return kept;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Spill.Dispose();
        DeadLetter.Dispose();
        _queued.Dispose();
    }

    private void EnforceMemoryBudget()
    {
        int moved = 0;
        while (_queuedBytes > _memoryQueueBytes && _queue.First is { } oldest)
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
            if (Spill.TryAppend(batch.Key, batch.Payload.Span, out SpillPosition spilled))
            {
                batch.Position = spilled;
                Counters.SpilledOne();
            }
            else
            {
                _droppedDiskFull++;
            }
        }

        batch.Release();
    }

    private void Acknowledge(PendingBatch batch)
    {
        if (batch.Position is { } position)
        {
            Spill.Acknowledge(position);
        }
        else
        {
            _memoryOnly--;
        }
    }
}
