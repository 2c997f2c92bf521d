using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

/// <summary>Acknowledgement, the low-water mark, the quota and reading the backlog.</summary>
internal sealed partial class SpillLog
{
    /// <summary>Opens a cursor at the low-water mark (the oldest unacknowledged record).</summary>
    /// <returns>The cursor; dispose it when done.</returns>
    public SpillCursor OpenCursor()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new SpillCursor(this, _markSegment, _markIndex);
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
            _claimed.Add(position);
        }
    }

    /// <summary>Gets a value indicating whether a send holds the record (see <see cref="Claim"/>).</summary>
    /// <param name="position">The record.</param>
    /// <returns><see langword="true"/> when claimed.</returns>
    public bool IsClaimed(SpillPosition position)
    {
        lock (_gate)
        {
            return _claimed.Contains(position) || _orphans.Contains(position);
        }
    }

    /// <summary>Ends a claim without delivery: the record stays pending for the replay (or, if the quota deleted it meanwhile, is counted dropped now).</summary>
    /// <param name="position">The record.</param>
    public void Release(SpillPosition position)
    {
        lock (_gate)
        {
            _claimed.Remove(position);
            if (_orphans.Remove(position))
            {
                _droppedBatches++;
            }
        }
    }

    /// <summary>Marks the record at <paramref name="position"/> acknowledged and ends its claim (unknown or settled positions are ignored).</summary>
    /// <param name="position">A record position from <see cref="Append"/> or a cursor.</param>
    public void Acknowledge(SpillPosition position)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _claimed.Remove(position);
            if (_orphans.Remove(position))
            {
                // Its segment went to the quota while the batch was on its way: delivered after all.
                _acknowledged++;
                return;
            }

            int segmentIndex = FindSegment(position.Segment, exact: true);
            if (segmentIndex < 0)
            {
                return;
            }

            SpillSegment segment = _segments[segmentIndex];
            int index = segment.IndexOf(position.Offset);
            if (index < 0 || !segment.Settle(index, SpillSlotState.Acked))
            {
                return;
            }

            _acknowledged++;
            // The mark may wait at this record, or at the end of a segment that was active when the mark
            // reached it and has rolled since: either way it moves on now (cheap when it cannot).
            AdvanceMark();
            if (position > MarkPosition())
            {
                _holesDirty = true; // acknowledged out of order: persisted as a run at the next commit
            }

            if (MarkPosition() != _persistedMark || _holesDirty)
            {
                ArmTimer();
            }
        }
    }

    /// <summary>Reads the next committed, unacknowledged record for a cursor.</summary>
    internal bool ReadNext(SpillCursor cursor, out SpillRecord record)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (true)
            {
                int segmentIndex = FindSegment(cursor.Segment, exact: false);
                if (segmentIndex < 0)
                {
                    record = default;
                    return false;
                }

                SpillSegment segment = _segments[segmentIndex];
                if (segment.Number != cursor.Segment)
                {
                    cursor.Segment = segment.Number;
                    cursor.Index = 0;
                }

                if (segment.Number == _markSegment && cursor.Index < _markIndex)
                {
                    cursor.Index = _markIndex;
                }

                if (cursor.Index >= segment.Records.Count)
                {
                    if (segmentIndex == _segments.Count - 1)
                    {
                        record = default;
                        return false;
                    }

                    cursor.Segment = segment.Number + 1;
                    cursor.Index = 0;
                    continue;
                }

                int index = cursor.Index;
                SpillRecordSlot slot = segment.Records[index];
                if (new SpillPosition(segment.Number, slot.Offset) >= _committedThrough)
                {
                    record = default;
                    return false;
                }

                cursor.Index++;
                if (slot.State != SpillSlotState.Pending)
                {
                    continue;
                }

                SpillDecodeStatus status = cursor.Load(segment, slot, out record);
                if (status == SpillDecodeStatus.Ok)
                {
                    return true;
                }

                SpillLogMessages.CorruptRecordRead(_logger, segment.Number, slot.Offset, status);
                segment.Settle(index, SpillSlotState.Dead);
                _corrupt++;
                if (segment.Number == _markSegment && index == _markIndex)
                {
                    AdvanceMark();
                }
            }
        }
    }

    /// <summary>Finds a segment by number: exactly, or the first at or after it.</summary>
    private int FindSegment(ulong number, bool exact)
    {
        int lo = 0;
        int hi = _segments.Count - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            ulong at = _segments[mid].Number;
            if (at == number)
            {
                return mid;
            }

            if (at < number)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return exact || lo >= _segments.Count ? -1 : lo;
    }

    private SpillPosition MarkPosition()
    {
        int segmentIndex = FindSegment(_markSegment, exact: true);
        if (segmentIndex < 0)
        {
            return new SpillPosition(_markSegment, 0);
        }

        SpillSegment segment = _segments[segmentIndex];
        return _markIndex < segment.Records.Count
            ? new SpillPosition(segment.Number, segment.Records[_markIndex].Offset)
            : new SpillPosition(segment.Number, segment.Length);
    }

    /// <summary>Moves the mark over settled records; deletes sealed segments that end up wholly below it.</summary>
    private void AdvanceMark()
    {
        while (true)
        {
            int segmentIndex = FindSegment(_markSegment, exact: false);
            if (segmentIndex < 0)
            {
                _markSegment = _nextSegmentNumber;
                _markIndex = 0;
                return;
            }

            SpillSegment segment = _segments[segmentIndex];
            if (segment.Number != _markSegment)
            {
                _markSegment = segment.Number;
                _markIndex = 0;
            }

            List<SpillRecordSlot> records = segment.Records;
            while (_markIndex < records.Count && records[_markIndex].State != SpillSlotState.Pending)
            {
                _markIndex++;
            }

            bool active = _writer is not null && segmentIndex == _segments.Count - 1;
            if (_markIndex < records.Count || active)
            {
                return;
            }

            DeleteSegment(segmentIndex);
            _markSegment = segment.Number + 1;
            _markIndex = 0;
        }
    }

    /// <summary>Deletes oldest segments until <paramref name="recordLength"/> more bytes fit in the quota.</summary>
    private void MakeRoomSlow(int recordLength)
    {
        while (_diskBytes + recordLength > _options.QuotaBytes && _segments.Count > 0)
        {
            SpillSegment oldest = _segments[0];
            if (_writer is not null && _segments.Count == 1)
            {
                if (oldest.Records.Count == 0)
                {
                    return; // one record larger than the quota: it is kept rather than lost
                }

                Roll();
                continue;
            }

            int dropped = 0;
            foreach (SpillRecordSlot slot in oldest.Records)
            {
                if (slot.State != SpillSlotState.Pending)
                {
                    continue;
                }

                var position = new SpillPosition(oldest.Number, slot.Offset);
                if (_claimed.Remove(position))
                {
                    _orphans.Add(position); // on its way: counted when its send ends
                }
                else
                {
                    dropped++;
                }
            }

            _droppedBatches += dropped;
            _droppedSegments++;
            SpillLogMessages.SegmentDropped(_logger, _options.QuotaBytes, oldest.Number, dropped, oldest.Length);
            DeleteSegment(0);
            AdvanceMark();
        }
    }

    private void DeleteSegment(int segmentIndex)
    {
        SpillSegment segment = _segments[segmentIndex];
        try
        {
            File.Delete(segment.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            SpillLogMessages.FileIgnored(_logger, segment.Path, ex);
        }

        _diskBytes -= segment.Length;
        _segments.RemoveAt(segmentIndex);
    }
}
