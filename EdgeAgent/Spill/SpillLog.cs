using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

// Design: the spill log — segmented append-only files of CRC32C-checked records (format: SpillRecordCodec).
// - Threads: the uplink thread appends, reads and acknowledges; the commit timer fires on a timer thread.
//   Every public member (and the cursor, and the timer) takes _gate (this is not the control-loop hot path);
//   the parts below are not thread-safe on their own and share nothing else.
// - The parts, one job each, arrows one way (log → quota → writer → index; cursor → index; claims alone):
//   SpillRecoverer opens the directory and repairs what a crash left (never throws on bad data; only an
//   unusable directory throws). SpillIndex holds the segments, CommittedThrough and the low-water mark, and
//   acknowledges. SpillWriter appends and group-commits. SpillQuota deletes the oldest segments. SpillClaims
//   tracks what a send holds in memory. SpillCursor reads the backlog.
// - Append (fast path): encode the record straight into one pooled commit buffer (no per-append
//   allocation: the UTF-8 ids of the last key are cached), add an index slot, return its position.
//   Group commit: the buffer is written and fsynced when it holds CommitBytes, when CommitInterval has
//   passed since the first uncommitted append (one-shot ITimer from the TimeProvider, armed by that append,
//   so an idle log still commits), on Commit() and on Dispose(). CommittedThrough is the position just
//   past the last durable byte; WhenDurable(p) completes when p < CommittedThrough.
// - The active segment is the last one; it rolls at SegmentBytes (commit, close, new file whose header is
//   the first buffered bytes; the directory is fsynced at that segment's first commit).
// - Index: per segment, the offset/length/state of each intact record (16 bytes a record).
// - Acknowledgement: a record's slot becomes Acked; the low-water mark (the oldest pending record) moves
//   over settled records; a segment wholly below the mark is deleted (never the active one). The mark is
//   persisted (SpillAckFile: temp, fsync, rename, fsync dir) at each commit when it changed; an ack arms the
//   commit timer, so the mark reaches the disk within CommitInterval. Acks beyond the mark (holes: replays in
//   flight, live batches beside a backlog) are persisted with it as runs (SpillAckFile version 2) at the next
//   commit, so a clean stop resends nothing acknowledged; only a crash within CommitInterval of an ack
//   replays that record (at-least-once).
// - Quota: before an append would take the total past QuotaBytes, the oldest segment is deleted and its
//   pending records are added to DroppedBatches (after a roll when the oldest is the active one).

/// <summary>The durable spill of telemetry batches: append, group commit, replay oldest first, acknowledge.</summary>
internal sealed class SpillLog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private readonly SpillIndex _index;
    private readonly SpillWriter _writer;
    private readonly SpillClaims _claims = new();
    private readonly SpillQuota _quota;
    private SpillDirectoryLock? _lock;
    private long _acknowledged;
    private long _droppedDiskFull;
    private bool _disposed;

    private SpillLog(SpillOptions options, string directory, ILogger logger, TimeProvider time, SpillDirectoryLock held, SpillRecovered found)
    {
        _logger = logger;
        Directory = directory;
        _lock = held;
        _index = new SpillIndex(found, logger);
        _writer = new SpillWriter(_gate, options, directory, _index, found.Resumed, found.NextOrdinal, logger, time);
        _quota = new SpillQuota(options, _index, _claims, _writer, logger);
        lock (_gate)
        {
            _ = _writer.TryCommit(); // a full disk does not stop the agent from starting: the spill starts unwritable
            _ = SpillNative.FsyncDirectory(directory);
            Recovery = found.Report with { RecordsRecovered = _index.Records, PendingRecords = _index.Pending, Bytes = _index.DiskBytes };
            SpillLogMessages.Opened(
                logger,
                directory,
                _index.Segments.Count,
                Recovery.RecordsRecovered,
                Recovery.PendingRecords,
                Recovery.Bytes,
                Recovery.CorruptRecordsSkipped,
                Recovery.FilesQuarantined,
                Recovery.TornTailsTruncated);
        }
    }

    /// <summary>Gets the resolved spill directory.</summary>
    public string Directory { get; }

    /// <summary>Gets what recovery found when the log was opened.</summary>
    public SpillRecovery Recovery { get; }

    /// <summary>Gets the position just past the last durable record: everything before it survives a crash.</summary>
    public SpillPosition CommittedThrough
    {
        get
        {
            lock (_gate)
            {
                return _index.CommittedThrough;
            }
        }
    }

    /// <summary>Gets the persisted-or-not low-water mark: the oldest unacknowledged record (or the end of the log).</summary>
    public SpillPosition AcknowledgedThrough
    {
        get
        {
            lock (_gate)
            {
                return _index.Mark;
            }
        }
    }

    /// <summary>Gets a value indicating whether the disk is full or failing: appends are refused until a retry succeeds.</summary>
    public bool IsUnwritable
    {
        get
        {
            lock (_gate)
            {
                return _writer.IsUnwritable;
            }
        }
    }

    /// <summary>Gets exact counters.</summary>
    public SpillStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new SpillStatistics
                {
                    Appended = _writer.Appended,
                    Committed = _writer.Committed,
                    Acknowledged = _acknowledged,
                    DroppedBatches = _quota.DroppedBatches + _claims.Lost,
                    DroppedSegments = _quota.DroppedSegments,
                    CorruptRecordsSkipped = _index.CorruptSkipped,
                    QuarantinedFiles = Recovery.FilesQuarantined,
                    TornTailsTruncated = Recovery.TornTailsTruncated,
                    PendingRecords = _index.Pending,
                    Orphaned = _claims.Orphaned,
                    Refused = _writer.Refused,
                    DroppedDiskFull = _droppedDiskFull,
                    Unwritable = _writer.IsUnwritable,
                    UnwritableEpisodes = _writer.UnwritableEpisodes,
                    DiskBytes = _index.DiskBytes,
                };
            }
        }
    }

    /// <summary>Opens (creating if needed) the spill and recovers it. Bad data never throws: it is skipped, truncated or quarantined, and counted.</summary>
    /// <param name="options">The spill options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="time">The clock of the commit timer.</param>
    /// <returns>The open log.</returns>
    /// <exception cref="IOException">The directory cannot be created, listed or written (the message names it and the fix).</exception>
    public static SpillLog Open(SpillOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        string directory = SpillPaths.Resolve(options.Directory);
        SpillRecoverer.PrepareDirectory(directory);
        SpillDirectoryLock held = SpillDirectoryLock.Acquire(directory);
        SpillRecovered? found = null;
        try
        {
            found = SpillRecoverer.Recover(directory, options, logger);
            return new SpillLog(options, directory, logger, time, held, found);
        }
        catch (Exception ex)
        {
            found?.Resumed?.Dispose();
            held.Dispose();
            if (ex is IOException or UnauthorizedAccessException)
            {
                throw SpillRecoverer.Unusable(directory, ex);
            }

            throw;
        }
    }

    /// <summary>Appends a batch; it is durable once <see cref="CommittedThrough"/> passes the returned position.</summary>
    /// <param name="key">The batch key.</param>
    /// <param name="payload">The serialized batch (opaque).</param>
    /// <returns>The record's position.</returns>
    /// <exception cref="ArgumentException">The record would exceed 64 MiB, or an id 65535 UTF-8 bytes.</exception>
    /// <exception cref="IOException">The spill cannot be written (disk full or failing): the batch was not kept.</exception>
    public SpillPosition Append(BatchKey key, ReadOnlySpan<byte> payload) =>
        TryAppend(key, payload, out SpillPosition position)
            ? position
            : throw new IOException($"The spill {Directory} cannot be written ({_writer.UnwritableReason}); the batch was not kept.");

    /// <summary>
    /// Appends a batch unless the spill cannot be written (disk full or failing; see <see cref="IsUnwritable"/>):
    /// then nothing is buffered and the caller keeps the batch elsewhere or counts it lost.
    /// </summary>
    /// <param name="key">The batch key.</param>
    /// <param name="payload">The serialized batch (opaque).</param>
    /// <param name="position">The record's position, when appended.</param>
    /// <returns><see langword="true"/> when appended.</returns>
    /// <exception cref="ArgumentException">The record would exceed 64 MiB, or an id 65535 UTF-8 bytes.</exception>
    public bool TryAppend(BatchKey key, ReadOnlySpan<byte> payload, out SpillPosition position)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            position = default;
            long length = _writer.MeasureRecord(key, payload.Length);
            if (length > SpillRecordCodec.MaxRecordBytes)
            {
                throw new ArgumentException($"A spill record holds at most {SpillRecordCodec.MaxRecordBytes} bytes; this batch needs {length}.", nameof(payload));
            }

            int recordLength = (int)length;
            if (!_writer.IsUnwritable)
            {
                try
                {
                    if (_writer.NeedsRoll(recordLength))
                    {
                        _writer.Roll();
                    }

                    if (_quota.IsFull(recordLength))
                    {
                        _quota.MakeRoom(recordLength);
                    }

                    _writer.EnsureBuffer(recordLength);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _writer.EnterUnwritable(ex);
                }
            }

            if (!_writer.CanAppend)
            {
                _writer.CountRefused();
                return false;
            }

            position = _writer.Write(key, payload, recordLength);
            return true;
        }
    }

    /// <summary>
    /// Writes and fsyncs everything appended, and persists the acknowledgement mark when it moved. When the disk
    /// is full (or failing) this does not throw: the spill enters the unwritable state, keeps what is buffered and
    /// retries at a bounded rate.
    /// </summary>
    /// <returns><see langword="true"/> when everything appended is durable.</returns>
    public bool Commit()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _writer.TryCommit();
        }
    }

    /// <summary>
    /// Returns a task that completes when the record at <paramref name="position"/> is durable, or when the spill
    /// becomes unwritable (the record stays buffered and is retried; the caller sends it from memory meanwhile).
    /// </summary>
    /// <param name="position">A position returned by <see cref="Append"/>.</param>
    /// <returns>The task (completed already when durable; faulted if the log is disposed first).</returns>
    public Task WhenDurable(SpillPosition position)
    {
        lock (_gate)
        {
            return _writer.WhenDurable(position);
        }
    }

    /// <summary>Opens a cursor at the low-water mark (the oldest unacknowledged record).</summary>
    /// <returns>The cursor; dispose it when done.</returns>
    public SpillCursor OpenCursor()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new SpillCursor(_gate, _index);
        }
    }

    /// <summary>
    /// Claims a record for a send: the uplink holds the batch in memory (a live batch in <c>always</c> mode, or a
    /// replay in flight). A claimed record is not handed out again, and if the quota deletes its segment it is not
    /// counted as dropped until the claim ends: acknowledged (then it was delivered) or released (then it is lost).
    /// </summary>
    /// <param name="position">The record.</param>
    public void Claim(SpillPosition position)
    {
        lock (_gate)
        {
            _claims.Claim(position);
        }
    }

    /// <summary>Gets a value indicating whether a send holds the record (see <see cref="Claim"/>).</summary>
    /// <param name="position">The record.</param>
    /// <returns><see langword="true"/> when claimed.</returns>
    public bool IsClaimed(SpillPosition position)
    {
        lock (_gate)
        {
            return _claims.IsClaimed(position);
        }
    }

    /// <summary>Ends a claim without delivery: the record stays pending for the replay (or, if the quota deleted it meanwhile, is counted dropped now).</summary>
    /// <param name="position">The record.</param>
    public void Release(SpillPosition position)
    {
        lock (_gate)
        {
            _claims.Release(position);
        }
    }

    /// <summary>Marks the record at <paramref name="position"/> acknowledged and ends its claim (unknown or settled positions are ignored).</summary>
    /// <param name="position">A record position from <see cref="Append"/> or a cursor.</param>
    public void Acknowledge(SpillPosition position)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_claims.Delivered(position))
            {
                _acknowledged++; // its segment went to the quota while the batch was on its way: delivered after all
                return;
            }

            if (!_index.Acknowledge(position))
            {
                return;
            }

            _acknowledged++;
            if (_index.AcknowledgementsDirty)
            {
                _writer.ArmTimer(); // the mark reaches the disk within CommitInterval
            }
        }
    }

    /// <summary>Commits, persists the acknowledgement mark and closes the files.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (!_writer.TryCommit() && _writer.BufferedRecords > 0)
            {
                // The disk stayed full to the end: what is only in the commit buffer cannot be kept.
                long lost = _writer.DropBuffered();
                _droppedDiskFull += lost;
                SpillLogMessages.LostAtClose(_logger, Directory, lost, _writer.UnwritableReason);
            }

            Close();
        }
    }

    /// <summary>Closes the files without committing (a crash, for tests): buffered records are lost.</summary>
    internal void Abandon()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _writer.DiscardBuffer();
                Close();
            }
        }
    }

    private void Close()
    {
        _disposed = true;
        _claims.Close();
        _index.Close();
        _writer.Dispose();
        _lock?.Dispose();
        _lock = null;
    }
}
