namespace EdgeAgent.Spill;

/// <summary>Group commit and segment rolls.</summary>
internal sealed partial class SpillLog
{
    /// <summary>How often an unwritable spill retries the disk.</summary>
    internal static readonly TimeSpan UnwritableRetry = TimeSpan.FromSeconds(1);

    /// <summary>The probe an unwritable spill with nothing buffered writes to test the disk.</summary>
    internal const string ProbeFileName = "write-probe.tmp";

    private const int ProbeBytes = 64 << 10;

    private void ArmTimer()
    {
        if (!_timerArmed)
        {
            _timerArmed = true;
            _timer.Change(_unwritable ? UnwritableRetry : _options.CommitInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnCommitTimer()
    {
        lock (_gate)
        {
            _timerArmed = false;
            if (_disposed)
            {
                return;
            }

            if (_unwritable && _buffered == 0 && !Probe())
            {
                ArmTimer();
                return;
            }

            _ = TryCommitLocked();
        }
    }

    /// <summary>Commits; an I/O failure enters the unwritable state instead of throwing, a success leaves it.</summary>
    private bool TryCommitLocked()
    {
        try
        {
            CommitLocked();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            EnterUnwritable(ex);
            return false;
        }

        if (_unwritable)
        {
            LeaveUnwritable();
        }

        return true;
    }

    /// <summary>
    /// Disk full (or failing) is a state, not an error per commit: one warning, appends refused (the caller keeps
    /// the batch in memory or counts it), what is buffered kept, waiters released (the uplink sends from memory),
    /// and a retry every <see cref="UnwritableRetry"/>.
    /// </summary>
    private void EnterUnwritable(Exception ex)
    {
        if (!_unwritable)
        {
            _unwritable = true;
            _unwritableEpisodes++;
            _unwritableSince = _time.GetTimestamp();
            _unwritableReason = ex.Message;
            long free = FreeBytes();
            SpillLogMessages.Unwritable(_logger, Directory, ex.Message, free, _options.QuotaBytes, _diskBytes, (long)UnwritableRetry.TotalMilliseconds);
            _refusedAtEntry = _refused;
        }

        foreach ((_, TaskCompletionSource done) in _waiters)
        {
            done.TrySetResult();
        }

        _waiters.Clear();
        ArmTimer();
    }

    private void LeaveUnwritable()
    {
        _unwritable = false;
        double seconds = _time.GetElapsedTime(_unwritableSince).TotalSeconds;
        long free = FreeBytes();
        SpillLogMessages.Writable(_logger, Directory, seconds, _refused - _refusedAtEntry, free);
        _unwritableReason = string.Empty;
    }

    /// <summary>Whether a probe file of <see cref="ProbeBytes"/> can be written, fsynced and deleted (an unwritable spill with nothing buffered).</summary>
    private bool Probe()
    {
        string path = Path.Combine(Directory, ProbeFileName);
        try
        {
            using (var probe = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                probe.Write(new byte[ProbeBytes]);
                probe.Flush(flushToDisk: true);
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception deleteFailed) when (deleteFailed is IOException or UnauthorizedAccessException)
            {
                // Nothing to do: the next probe overwrites it, recovery deletes it.
            }

            return false;
        }
    }

    private long FreeBytes()
    {
        try
        {
            return new DriveInfo(Directory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return -1;
        }
    }

    private void CommitLocked()
    {
        SpillSegment? active = Active;
        if (_buffered > 0 && active is not null)
        {
            long writtenBefore = active.Length - _buffered;
            try
            {
                _writer!.Write(_buffer, 0, _buffered);
                if (_options.Fsync)
                {
                    _writer.Flush(flushToDisk: true);
                }
            }
            catch
            {
                // Rewind (and cut a partial write) so the retry writes the same bytes at the same offset.
                _writer!.Position = writtenBefore;
                try
                {
                    _writer.SetLength(writtenBefore);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A torn tail at worst: recovery truncates it.
                }

                throw;
            }

            _buffered = 0;
            _committed += _bufferedRecords;
            _bufferedRecords = 0;
            if (_directoryDirty && _options.Fsync)
            {
                _ = SpillNative.FsyncDirectory(Directory);
            }

            _directoryDirty = false;
            _committedThrough = new SpillPosition(active.Number, active.Length);
            CompleteWaiters();
        }

        SpillPosition mark = MarkPosition();
        if (mark != _persistedMark || _holesDirty)
        {
            SpillAckFile.Write(Directory, mark, CollectAckedRanges(), _options.Fsync);
            _persistedMark = mark;
            _holesDirty = false;
        }

        if (_timerArmed)
        {
            _timerArmed = false;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The runs of acknowledged, committed records after the mark (see SpillAckFile), oldest first, at most
    /// <see cref="SpillAckFile.MaxRanges"/>. A segment wholly settled is one run without a walk over its records.
    /// </summary>
    private ReadOnlySpan<SpillAckRange> CollectAckedRanges()
    {
        _ackRanges.Clear();
        foreach (SpillSegment segment in _segments)
        {
            if (segment.Number < _markSegment || segment.Settled == 0 || segment.Records.Count == 0)
            {
                continue;
            }

            List<SpillRecordSlot> records = segment.Records;
            int first = segment.Number == _markSegment ? _markIndex : 0;
            if (segment.Number != _markSegment && segment.Settled == records.Count
                && new SpillPosition(segment.Number, records[^1].Offset) < _committedThrough)
            {
                _ackRanges.Add(new SpillAckRange(segment.Number, records[0].Offset, records[^1].Offset));
            }
            else
            {
                int run = -1;
                for (int i = first; i <= records.Count; i++)
                {
                    bool acked = i < records.Count && records[i].State != SpillSlotState.Pending
                        && new SpillPosition(segment.Number, records[i].Offset) < _committedThrough;
                    if (acked && run < 0)
                    {
                        run = i;
                    }
                    else if (!acked && run >= 0)
                    {
                        _ackRanges.Add(new SpillAckRange(segment.Number, records[run].Offset, records[i - 1].Offset));
                        run = -1;
                        if (_ackRanges.Count == SpillAckFile.MaxRanges)
                        {
                            break;
                        }
                    }
                }
            }

            if (_ackRanges.Count >= SpillAckFile.MaxRanges)
            {
                break;
            }
        }

        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_ackRanges);
    }

    private void CompleteWaiters()
    {
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Position < _committedThrough)
            {
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private void Roll()
    {
        CommitLocked();
        _writer?.Dispose();
        _writer = null;
        ulong number = _nextSegmentNumber++;
        string path = Path.Combine(Directory, SpillDirectoryScanner.SegmentFileName(number));
        _writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        SpillRecordCodec.WriteSegmentHeader(_buffer, number, _nextOrdinal);
        _buffered = SpillRecordCodec.SegmentHeaderBytes;
        _directoryDirty = true;
        _segments.Add(new SpillSegment(number, path, [], SpillRecordCodec.SegmentHeaderBytes));
        _diskBytes += SpillRecordCodec.SegmentHeaderBytes;
        if (_segments.Count == 1)
        {
            _markSegment = number;
            _markIndex = 0;
        }
        else
        {
            // The segment just sealed may be wholly settled with the mark at its end: move the mark into the
            // new segment (and delete the sealed one), or it would wait there for an ack that never comes.
            AdvanceMark();
        }
    }

    /// <summary>Settles the unacknowledged records still only in the commit buffer as lost; returns how many.</summary>
    private long DropBuffered()
    {
        SpillSegment? active = Active;
        if (active is null)
        {
            return 0;
        }

        long committedOffset = _committedThrough.Segment == active.Number ? _committedThrough.Offset : 0;
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
}
