namespace EdgeAgent.Spill;

/// <summary>Group commit and segment rolls.</summary>
internal sealed partial class SpillLog
{
    private void ArmTimer()
    {
        if (!_timerArmed)
        {
            _timerArmed = true;
            _timer.Change(_options.CommitInterval, Timeout.InfiniteTimeSpan);
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

            try
            {
                CommitLocked();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                SpillLogMessages.CommitFailed(_logger, Directory, ex);
                ArmTimer();
            }
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
                _writer!.Position = writtenBefore;
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
        if (mark != _persistedMark)
        {
            SpillAckFile.Write(Directory, mark, _options.Fsync);
            _persistedMark = mark;
        }

        if (_timerArmed)
        {
            _timerArmed = false;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
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
    }
}
