using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

/// <summary>
/// The spill's appending end: records are encoded into one pooled commit buffer, which group commit writes and
/// fsyncs; the active segment rolls at SegmentBytes; a full or failing disk is a state (appends refused, what is
/// buffered kept, a retry every <see cref="SpillDiskHealth.Retry"/>). Not thread-safe: callers hold the spill's gate,
/// which the commit timer takes too.
/// </summary>
internal sealed class SpillWriter : IDisposable
{
    private readonly Lock _gate;
    private readonly SpillOptions _options;
    private readonly SpillIndex _index;
    private readonly string _directory;
    private readonly SpillDiskHealth _health;
    private readonly ITimer _timer;
    private readonly List<(SpillPosition Position, TaskCompletionSource Done)> _waiters = [];

    private byte[] _buffer;
    private int _buffered;
    private long _bufferedRecords;
    private FileStream? _stream;
    private bool _directoryDirty;
    private bool _timerArmed;
    private bool _closed;
    private ulong _nextOrdinal;

    private string? _lastRobotId;
    private string? _lastBootId;
    private byte[] _robotUtf8 = [];
    private byte[] _bootUtf8 = [];

    /// <summary>Initializes a new instance of the <see cref="SpillWriter"/> class.</summary>
    /// <param name="gate">The spill's gate (the commit timer takes it).</param>
    /// <param name="options">The spill options.</param>
    /// <param name="directory">The spill directory.</param>
    /// <param name="index">The index the appends go to.</param>
    /// <param name="resumed">The newest segment opened at its end by recovery, or null.</param>
    /// <param name="nextOrdinal">The ordinal of the next record.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="time">The clock of the commit timer.</param>
    public SpillWriter(Lock gate, SpillOptions options, string directory, SpillIndex index, FileStream? resumed, ulong nextOrdinal, ILogger logger, TimeProvider time)
    {
        _gate = gate;
        _options = options;
        _directory = directory;
        _index = index;
        Stream = resumed;
        _nextOrdinal = nextOrdinal;
        _health = new SpillDiskHealth(directory, options.QuotaBytes, logger, time);
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(options.CommitBytes + (64 << 10), int.MaxValue / 2));
        _timer = time.CreateTimer(static state => ((SpillWriter)state!).OnCommitTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets a value indicating whether the disk is full or failing: appends are refused until a retry succeeds.</summary>
    public bool IsUnwritable => _health.IsUnwritable;

    /// <summary>Gets why the spill is unwritable (empty when it is not).</summary>
    public string UnwritableReason => _health.Reason;

    /// <summary>Gets the records appended.</summary>
    public long Appended { get; private set; }

    /// <summary>Gets the appended records made durable.</summary>
    public long Committed { get; private set; }

    /// <summary>Gets the appends refused because the disk could not be written.</summary>
    public long Refused { get; private set; }

    /// <summary>Gets the times the spill became unwritable.</summary>
    public long UnwritableEpisodes => _health.Episodes;

    /// <summary>Gets the records appended but only in the commit buffer.</summary>
    public long BufferedRecords => _bufferedRecords;

    /// <summary>Sets the active segment's file; the index learns with it whether its last segment is active (never deleted by the mark).</summary>
    private FileStream? Stream
    {
        set
        {
            _stream = value;
            _index.LastIsActive = value is not null;
        }
    }

    private SpillSegment? Active => _stream is null || _index.Segments.Count == 0 ? null : _index.Segments[^1];

    /// <summary>Measures the record a batch makes (caching the ids' UTF-8, so a steady stream allocates nothing).</summary>
    /// <param name="key">The batch key.</param>
    /// <param name="payloadLength">The payload's bytes.</param>
    /// <returns>The record's bytes (the caller refuses more than <see cref="SpillRecordCodec.MaxRecordBytes"/>).</returns>
    /// <exception cref="ArgumentException">An id is longer than 65535 UTF-8 bytes.</exception>
    public long MeasureRecord(BatchKey key, int payloadLength)
    {
        CacheIds(key);
        return SpillRecordCodec.RecordLength(_robotUtf8.Length, _bootUtf8.Length, payloadLength);
    }

    /// <summary>Counts an append refused (unwritable, or the space could not be made).</summary>
    public void CountRefused() => Refused++;

    /// <summary>Gets a value indicating whether a record of <paramref name="recordLength"/> needs a new segment first.</summary>
    /// <param name="recordLength">The record's bytes.</param>
    /// <returns><see langword="true"/> when there is no active segment or the record would take it past SegmentBytes.</returns>
    public bool NeedsRoll(int recordLength)
    {
        SpillSegment? active = Active;
        return active is null || (active.Records.Count > 0 && active.Length + recordLength > _options.SegmentBytes);
    }

    /// <summary>Makes room in the commit buffer: commits what it holds, or grows it for one large record.</summary>
    /// <param name="recordLength">The record's bytes.</param>
    public void EnsureBuffer(int recordLength)
    {
        if (_buffered + recordLength <= _buffer.Length)
        {
            return;
        }

        if (_buffered > 0 && !TryCommit())
        {
            return; // unwritable: the caller refuses the record
        }

        if (recordLength > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(recordLength);
        }
    }

    /// <summary>Gets a value indicating whether an append can go ahead (writable, with an active segment).</summary>
    public bool CanAppend => !IsUnwritable && Active is not null;

    /// <summary>Encodes a record into the commit buffer; commits when it holds CommitBytes, else arms the timer.</summary>
    /// <param name="key">The batch key (measured by <see cref="MeasureRecord"/>).</param>
    /// <param name="payload">The payload.</param>
    /// <param name="recordLength">The record's bytes.</param>
    /// <returns>The record's position.</returns>
    public SpillPosition Write(BatchKey key, ReadOnlySpan<byte> payload, int recordLength)
    {
        SpillSegment target = Active!;
        var position = new SpillPosition(target.Number, target.Length);
        SpillRecordCodec.WriteRecord(_buffer.AsSpan(_buffered), _nextOrdinal++, _robotUtf8, _bootUtf8, key.Seq, payload);
        target.Records.Add(new SpillRecordSlot { Offset = position.Offset, Length = recordLength });
        target.Length += recordLength;
        _buffered += recordLength;
        _bufferedRecords++;
        _index.DiskBytes += recordLength;
        Appended++;
        if (_buffered >= _options.CommitBytes)
        {
            TryCommit();
        }
        else
        {
            ArmTimer();
        }

        return position;
    }

    /// <summary>Commits; an I/O failure enters the unwritable state instead of throwing, a success leaves it.</summary>
    /// <returns><see langword="true"/> when everything appended is durable.</returns>
    public bool TryCommit()
    {
        try
        {
            Commit();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            EnterUnwritable(ex);
            return false;
        }

        _health.Leave(Refused);
        return true;
    }

    /// <summary>Arms the commit timer unless armed: CommitInterval, or the retry period when unwritable.</summary>
    public void ArmTimer()
    {
        if (!_timerArmed)
        {
            _timerArmed = true;
            _timer.Change(IsUnwritable ? SpillDiskHealth.Retry : _options.CommitInterval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>A task that completes when <paramref name="position"/> is durable or the spill becomes unwritable.</summary>
    /// <param name="position">A record position.</param>
    /// <returns>The task.</returns>
    public Task WhenDurable(SpillPosition position)
    {
        if (position < _index.CommittedThrough || IsUnwritable)
        {
            return Task.CompletedTask; // durable, or cannot be made durable now: the caller sends from memory
        }

        ObjectDisposedException.ThrowIf(_closed, typeof(SpillLog));
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((position, done));
        return done.Task;
    }

    /// <summary>
    /// Disk full (or failing) is a state, not an error per commit: one warning, appends refused (the caller keeps
    /// the batch in memory or counts it), what is buffered kept, waiters released (the uplink sends from memory),
    /// and a retry every <see cref="SpillDiskHealth.Retry"/>.
    /// </summary>
    /// <param name="ex">What failed.</param>
    public void EnterUnwritable(Exception ex)
    {
        _health.Enter(ex, _index.DiskBytes, Refused);

        foreach ((_, TaskCompletionSource done) in _waiters)
        {
            done.TrySetResult();
        }

        _waiters.Clear();
        ArmTimer();
    }

    /// <summary>Commits what is buffered, closes the active segment and opens a new one.</summary>
    public void Roll()
    {
        Commit();
        _stream?.Dispose();
        Stream = null;
        string path = Path.Combine(_directory, SpillDirectoryScanner.SegmentFileName(_index.NextSegmentNumber));
        Stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        SpillSegment segment = _index.AddSegment(path);
        SpillRecordCodec.WriteSegmentHeader(_buffer, segment.Number, _nextOrdinal);
        _buffered = SpillRecordCodec.SegmentHeaderBytes;
        _directoryDirty = true;
    }

    /// <summary>Settles the records still only in the commit buffer as lost (the disk stayed full to the end).</summary>
    /// <returns>How many.</returns>
    public long DropBuffered()
    {
        SpillSegment? active = Active;
        if (active is null)
        {
            return 0;
        }

        SpillPosition committed = _index.CommittedThrough;
        long committedOffset = committed.Segment == active.Number ? committed.Offset : 0;
        long lost = 0;
        for (int i = 0; i < active.Records.Count; i++)
        {
            if (active.Records[i].Offset >= committedOffset && active.Settle(i, SpillSlotState.Dead))
            {
                lost++;
            }
        }

        return lost;
    }

    /// <summary>Closes the file without writing the buffer (a crash, for tests).</summary>
    public void DiscardBuffer() => _buffered = 0;

    /// <summary>Closes the file and the timer (without committing: the log commits first); waiters fault.</summary>
    public void Dispose()
    {
        _closed = true;
        _timer.Dispose();
        _stream?.Dispose();
        Stream = null;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        foreach ((_, TaskCompletionSource done) in _waiters)
        {
            done.TrySetException(new ObjectDisposedException(nameof(SpillLog), "The spill log was closed before the record was durable."));
        }

        _waiters.Clear();
    }

    private static byte[] EncodeId(string id, string name)
    {
        ArgumentNullException.ThrowIfNull(id, name);
        byte[] utf8 = Encoding.UTF8.GetBytes(id);
        return utf8.Length <= SpillRecordCodec.MaxIdBytes ? utf8 : throw new ArgumentException($"{name} is longer than {SpillRecordCodec.MaxIdBytes} UTF-8 bytes.", name);
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

    private void OnCommitTimer()
    {
        lock (_gate)
        {
            _timerArmed = false;
            if (_closed)
            {
                return;
            }

            if (IsUnwritable && _buffered == 0 && !_health.Probe())
            {
                ArmTimer();
                return;
            }

            _ = TryCommit();
        }
    }

    /// <summary>Writes and fsyncs the buffer, then persists the acknowledgement mark when it moved.</summary>
    private void Commit()
    {
        SpillSegment? active = Active;
        if (_buffered > 0 && active is not null)
        {
            long writtenBefore = active.Length - _buffered;
            try
            {
                _stream!.Write(_buffer, 0, _buffered);
                if (_options.Fsync)
                {
                    _stream.Flush(flushToDisk: true);
                }
            }
            catch
            {
                // Rewind (and cut a partial write) so the retry writes the same bytes at the same offset.
                _stream!.Position = writtenBefore;
                try
                {
                    _stream.SetLength(writtenBefore);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A torn tail at worst: recovery truncates it.
                }

                throw;
            }

            _buffered = 0;
            Committed += _bufferedRecords;
            _bufferedRecords = 0;
            if (_directoryDirty && _options.Fsync)
            {
                _ = SpillNative.FsyncDirectory(_directory);
            }

            _directoryDirty = false;
            _index.CommittedThrough = new SpillPosition(active.Number, active.Length);
            CompleteWaiters();
        }

        if (_index.AcknowledgementsDirty)
        {
            SpillPosition mark = _index.Mark;
            SpillAckFile.Write(_directory, mark, _index.CollectAckedRanges(), _options.Fsync);
            _index.AcknowledgementsPersisted(mark);
        }

        if (_timerArmed)
        {
            _timerArmed = false;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void CompleteWaiters()
    {
        SpillPosition committed = _index.CommittedThrough;
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Position < committed)
            {
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
