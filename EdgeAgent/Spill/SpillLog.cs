using System.Buffers;
using System.Text;
using EdgeAgent.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

// Design: the spill log — segmented append-only files of CRC32C-checked records (format: SpillRecordCodec).
// - Threads: the uplink thread appends, reads and acknowledges; the commit timer fires on a timer thread.
//   Every public member takes _gate (this is not the control-loop hot path); nothing else is shared.
// - Append (fast path): encode the record straight into one pooled commit buffer (no per-append
//   allocation: the UTF-8 ids of the last key are cached), add an index slot, return its position.
//   Group commit: the buffer is written and fsynced when it holds CommitBytes, when CommitInterval has
//   passed since the first uncommitted append (one-shot ITimer from the TimeProvider, armed by that append,
//   so an idle log still commits), on Commit() and on Dispose(). CommittedThrough is the position just
//   past the last durable byte; WhenDurable(p) completes when p < CommittedThrough.
// - The active segment is the last one; it rolls at SegmentBytes (commit, close, new file whose header is
//   the first buffered bytes; the directory is fsynced at that segment's first commit).
// - Index: per segment, the offset/length/state of each intact record (16 bytes a record).
// - Acknowledgement: a record's slot becomes Acked; the low-water mark (_markSegment, _markIndex: the
//   oldest pending record) moves over settled records; a segment wholly below the mark is deleted (never
//   the active one). The mark is persisted (SpillAckFile: temp, fsync, rename, fsync dir) at each commit
//   when it changed; an ack arms the commit timer, so the mark reaches the disk within CommitInterval.
//   Acks beyond the mark (holes: replays in flight, live batches beside a backlog) are persisted with it as
//   runs (SpillAckFile version 2) at the next commit, so a clean stop resends nothing acknowledged; only a
//   crash within CommitInterval of an ack replays that record (at-least-once).
// - Quota: before an append would take the total past QuotaBytes, the oldest segment is deleted and its
//   pending records are added to DroppedBatches (after a roll when the oldest is the active one).
// - Recovery (SpillLog.Recovery.cs) never throws on bad data; only an unusable directory throws.

/// <summary>The durable spill of telemetry batches: append, group commit, replay oldest first, acknowledge.</summary>
internal sealed partial class SpillLog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SpillOptions _options;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly TimeProvider _time;
    private readonly List<SpillSegment> _segments = [];
    private readonly List<(SpillPosition Position, TaskCompletionSource Done)> _waiters = [];
    private readonly HashSet<SpillPosition> _claimed = [];
    private readonly HashSet<SpillPosition> _orphans = [];

    private byte[] _buffer;
    private int _buffered;
    private long _bufferedRecords;
    private FileStream? _writer;
    private bool _directoryDirty;
    private bool _timerArmed;
    private bool _disposed;
    private SpillDirectoryLock? _lock;

    private ulong _nextSegmentNumber;
    private ulong _nextOrdinal;
    private SpillPosition _committedThrough;

    private ulong _markSegment;
    private int _markIndex;
    private SpillPosition _persistedMark;
    private bool _holesDirty;
    private readonly List<SpillAckRange> _ackRanges = [];

    private string? _lastRobotId;
    private string? _lastBootId;
    private byte[] _robotUtf8 = [];
    private byte[] _bootUtf8 = [];

    private long _appended;
    private long _committed;
    private long _acknowledged;
    private long _droppedBatches;
    private long _droppedSegments;
    private long _corrupt;
    private long _quarantined;
    private long _tornTails;
    private long _diskBytes;
    private long _refused;
    private long _droppedDiskFull;
    private bool _unwritable;
    private string _unwritableReason = string.Empty;
    private long _unwritableSince;
    private long _unwritableEpisodes;
    private long _refusedAtEntry;

    private SpillLog(SpillOptions options, string directory, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        Directory = directory;
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(options.CommitBytes + (64 << 10), int.MaxValue / 2));
        _time = time;
        _timer = time.CreateTimer(static state => ((SpillLog)state!).OnCommitTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Recovery = new SpillRecovery();
    }

    /// <summary>Gets the resolved spill directory.</summary>
    public string Directory { get; }

    /// <summary>Gets what recovery found when the log was opened.</summary>
    public SpillRecovery Recovery { get; private set; }

    /// <summary>Gets the position just past the last durable record: everything before it survives a crash.</summary>
    public SpillPosition CommittedThrough
    {
        get
        {
            lock (_gate)
            {
                return _committedThrough;
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
                return MarkPosition();
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
                return _unwritable;
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
                long pending = 0;
                foreach (SpillSegment segment in _segments)
                {
                    pending += segment.Pending;
                }

                return new SpillStatistics
                {
                    Appended = _appended,
                    Committed = _committed,
                    Acknowledged = _acknowledged,
                    DroppedBatches = _droppedBatches,
                    DroppedSegments = _droppedSegments,
                    CorruptRecordsSkipped = _corrupt,
                    QuarantinedFiles = _quarantined,
                    TornTailsTruncated = _tornTails,
                    PendingRecords = pending,
                    Orphaned = _orphans.Count,
                    Refused = _refused,
                    DroppedDiskFull = _droppedDiskFull,
                    Unwritable = _unwritable,
                    UnwritableEpisodes = _unwritableEpisodes,
                    DiskBytes = _diskBytes,
                };
            }
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
            : throw new IOException($"The spill {Directory} cannot be written ({_unwritableReason}); the batch was not kept.");

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
            CacheIds(key);
            long length = SpillRecordCodec.RecordLength(_robotUtf8.Length, _bootUtf8.Length, payload.Length);
            if (length > SpillRecordCodec.MaxRecordBytes)
            {
                throw new ArgumentException($"A spill record holds at most {SpillRecordCodec.MaxRecordBytes} bytes; this batch needs {length}.", nameof(payload));
            }

            if (_unwritable)
            {
                _refused++;
                return false;
            }

            int recordLength = (int)length;
            try
            {
                SpillSegment? active = Active;
                if (active is null || (active.Records.Count > 0 && active.Length + recordLength > _options.SegmentBytes))
                {
                    Roll();
                }

                if (_diskBytes + recordLength > _options.QuotaBytes)
                {
                    MakeRoomSlow(recordLength);
                }

                if (_buffered + recordLength > _buffer.Length)
                {
                    GrowOrCommitSlow(recordLength);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                EnterUnwritable(ex);
                _refused++;
                return false;
            }

            if (_unwritable || Active is null)
            {
                _refused++;
                return false;
            }

            SpillSegment target = Active!;
            position = new SpillPosition(target.Number, target.Length);
            SpillRecordCodec.WriteRecord(_buffer.AsSpan(_buffered), _nextOrdinal++, _robotUtf8, _bootUtf8, key.Seq, payload);
            target.Records.Add(new SpillRecordSlot { Offset = position.Offset, Length = recordLength });
            target.Length += recordLength;
            _buffered += recordLength;
            _bufferedRecords++;
            _diskBytes += recordLength;
            _appended++;
            if (_buffered >= _options.CommitBytes)
            {
                TryCommitLocked();
            }
            else
            {
                ArmTimer();
            }

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
            return TryCommitLocked();
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
            if (position < _committedThrough || _unwritable)
            {
                return Task.CompletedTask; // durable, or cannot be made durable now: the caller sends from memory
            }

            ObjectDisposedException.ThrowIf(_disposed, this);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((position, done));
            return done.Task;
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

            if (!TryCommitLocked() && _bufferedRecords > 0)
            {
                // The disk stayed full to the end: what is only in the commit buffer cannot be kept.
                long lost = DropBuffered();
                _droppedDiskFull += lost;
                SpillLogMessages.LostAtClose(_logger, Directory, lost, _unwritableReason);
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
                _buffered = 0;
                Close();
            }
        }
    }

    private SpillSegment? Active => _writer is null || _segments.Count == 0 ? null : _segments[^1];

    private void Close()
    {
        _disposed = true;
        _droppedBatches += _orphans.Count; // claimed when their segment was dropped, and never settled
        _orphans.Clear();
        _claimed.Clear();
        _timer.Dispose();
        _writer?.Dispose();
        _writer = null;
        _lock?.Dispose();
        _lock = null;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        foreach ((_, TaskCompletionSource done) in _waiters)
        {
            done.TrySetException(new ObjectDisposedException(nameof(SpillLog), "The spill log was closed before the record was durable."));
        }

        _waiters.Clear();
    }

    private void CacheIds(BatchKey key)
    {
        if (!ReferenceEquals(key.RobotId, _lastRobotId))
        {
            _robotUtf8 = EncodeId(key.RobotId, nameof(key.RobotId));
            _lastRobotId = key.RobotId;
        }

        if (!ReferenceEquals(key.BootId, _lastBootId))
        {
            _bootUtf8 = EncodeId(key.BootId, nameof(key.BootId));
            _lastBootId = key.BootId;
        }
    }

    private static byte[] EncodeId(string id, string name)
    {
        ArgumentNullException.ThrowIfNull(id, name);
        byte[] utf8 = Encoding.UTF8.GetBytes(id);
        return utf8.Length <= SpillRecordCodec.MaxIdBytes ? utf8 : throw new ArgumentException($"{name} is longer than {SpillRecordCodec.MaxIdBytes} UTF-8 bytes.", name);
    }

    private void GrowOrCommitSlow(int recordLength)
    {
        if (_buffered > 0 && !TryCommitLocked())
        {
            return; // unwritable: the caller refuses the record
        }

        if (recordLength > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(recordLength);
        }
    }
}
