using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

/// <summary>
/// The in-memory index of the spill: its segments oldest first, how far they are durable, and the
/// acknowledgement low-water mark (the oldest pending record). Acknowledging settles a record and moves the
/// mark over settled ones; a sealed segment wholly below the mark is deleted. Not thread-safe: every caller
/// holds the spill's gate.
/// </summary>
internal sealed class SpillIndex
{
    private readonly List<SpillSegment> _segments;
    private readonly List<SpillAckRange> _ackRanges = [];
    private readonly ILogger _logger;
    private ulong _markSegment;
    private int _markIndex;
    private SpillPosition _persistedMark;
    private bool _holesDirty;

    /// <summary>Initializes a new instance of the <see cref="SpillIndex"/> class from what recovery found.</summary>
    /// <param name="found">The recovered segments, mark and numbering.</param>
    /// <param name="logger">The logger.</param>
    public SpillIndex(SpillRecovered found, ILogger logger)
    {
        _logger = logger;
        _segments = found.Segments;
        DiskBytes = found.DiskBytes;
        NextSegmentNumber = found.NextSegmentNumber;
        CorruptSkipped = found.Report.CorruptRecordsSkipped;
        LastIsActive = found.Resumed is not null;
        SpillSegment? last = _segments.Count > 0 ? _segments[^1] : null;
        CommittedThrough = last is null ? SpillPosition.Start : new SpillPosition(last.Number, last.Length);
        _markSegment = found.Mark.Segment;
        _markIndex = 0;
        AdvanceMark();
        _persistedMark = found.Mark;
    }

    /// <summary>Gets the segments, oldest first (the last is the active one when <see cref="LastIsActive"/>).</summary>
    public IReadOnlyList<SpillSegment> Segments => _segments;

    /// <summary>Gets or sets the position just past the last durable byte (the writer moves it at each commit).</summary>
    public SpillPosition CommittedThrough { get; set; }

    /// <summary>Gets or sets a value indicating whether the last segment is open for appending (never deleted by the mark); the writer sets it with its file.</summary>
    public bool LastIsActive { get; set; }

    /// <summary>Gets the number the next new segment takes.</summary>
    public ulong NextSegmentNumber { get; private set; }

    /// <summary>Gets or sets the bytes of all segments, including appended bytes not yet written.</summary>
    public long DiskBytes { get; set; }

    /// <summary>Gets the damaged records skipped, at recovery and when read.</summary>
    public long CorruptSkipped { get; private set; }

    /// <summary>Gets a value indicating whether the log is closed (reads throw).</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Gets the low-water mark as a position: the oldest pending record, or the end of its segment.</summary>
    public SpillPosition Mark
    {
        get
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
    }

    /// <summary>Gets a value indicating whether the mark or the acknowledged runs beyond it changed since they were persisted.</summary>
    public bool AcknowledgementsDirty => _holesDirty || Mark != _persistedMark;

    /// <summary>Gets the records neither acknowledged nor found dead.</summary>
    public long Pending
    {
        get
        {
            long pending = 0;
            foreach (SpillSegment segment in _segments)
            {
                pending += segment.Pending;
            }

            return pending;
        }
    }

    /// <summary>Gets the records indexed.</summary>
    public long Records
    {
        get
        {
            long records = 0;
            foreach (SpillSegment segment in _segments)
            {
                records += segment.Records.Count;
            }

            return records;
        }
    }

    /// <summary>Gets the mark as a slot, where a new cursor starts.</summary>
    public (ulong Segment, int Index) MarkSlot => (_markSegment, _markIndex);

    /// <summary>Adds a new, empty active segment numbered <see cref="NextSegmentNumber"/> (its file was just created and opened by the writer).</summary>
    /// <param name="path">The segment's file.</param>
    /// <returns>The segment.</returns>
    public SpillSegment AddSegment(string path)
    {
        ulong number = NextSegmentNumber++;
        var segment = new SpillSegment(number, path, [], SpillRecordCodec.SegmentHeaderBytes);
        _segments.Add(segment);
        DiskBytes += SpillRecordCodec.SegmentHeaderBytes;
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

        return segment;
    }

    /// <summary>Settles a record acknowledged.</summary>
    /// <param name="position">The record.</param>
    /// <returns><see langword="true"/> when it was pending (unknown or settled positions are ignored).</returns>
    public bool Acknowledge(SpillPosition position)
    {
        int segmentIndex = FindSegment(position.Segment, exact: true);
        if (segmentIndex < 0)
        {
            return false;
        }

        SpillSegment segment = _segments[segmentIndex];
        int index = segment.IndexOf(position.Offset);
        if (index < 0 || !segment.Settle(index, SpillSlotState.Acked))
        {
            return false;
        }

        // The mark may wait at this record, or at the end of a segment that was active when the mark
        // reached it and has rolled since: either way it moves on now (cheap when it cannot).
        AdvanceMark();
        if (position > Mark)
        {
            _holesDirty = true; // acknowledged out of order: persisted as a run at the next commit
        }

        return true;
    }

    /// <summary>Records that the mark and the runs beyond it as they are now reached the disk.</summary>
    /// <param name="mark">The mark written.</param>
    public void AcknowledgementsPersisted(SpillPosition mark)
    {
        _persistedMark = mark;
        _holesDirty = false;
    }

    /// <summary>
    /// Finds the next committed, pending record at or after a cursor's slot (skipping dropped segments and
    /// settled records) and moves the slot past it.
    /// </summary>
    /// <param name="segmentNumber">The cursor's segment.</param>
    /// <param name="index">The cursor's record index in that segment.</param>
    /// <param name="segment">The record's segment.</param>
    /// <param name="slotIndex">The record's index in it.</param>
    /// <returns><see langword="false"/> when none is left (more may come later).</returns>
    public bool TryNextPending(ref ulong segmentNumber, ref int index, out SpillSegment segment, out int slotIndex)
    {
        while (true)
        {
            int segmentIndex = FindSegment(segmentNumber, exact: false);
            if (segmentIndex < 0)
            {
                break;
            }

            segment = _segments[segmentIndex];
            if (segment.Number != segmentNumber)
            {
                segmentNumber = segment.Number;
                index = 0;
            }

            if (segment.Number == _markSegment && index < _markIndex)
            {
                index = _markIndex;
            }

            if (index >= segment.Records.Count)
            {
                if (segmentIndex == _segments.Count - 1)
                {
                    break;
                }

                segmentNumber = segment.Number + 1;
                index = 0;
                continue;
            }

            SpillRecordSlot slot = segment.Records[index];
            if (new SpillPosition(segment.Number, slot.Offset) >= CommittedThrough)
            {
                break;
            }

            slotIndex = index++;
            if (slot.State == SpillSlotState.Pending)
            {
                return true;
            }
        }

        segment = null!;
        slotIndex = -1;
        return false;
    }

    /// <summary>Settles a record that failed verification when read as dead, and counts it.</summary>
    /// <param name="segment">Its segment.</param>
    /// <param name="slotIndex">Its index.</param>
    /// <param name="status">What was wrong.</param>
    public void SettleCorrupt(SpillSegment segment, int slotIndex, SpillDecodeStatus status)
    {
        SpillLogMessages.CorruptRecordRead(_logger, segment.Number, segment.Records[slotIndex].Offset, status);
        segment.Settle(slotIndex, SpillSlotState.Dead);
        CorruptSkipped++;
        if (segment.Number == _markSegment && slotIndex == _markIndex)
        {
            AdvanceMark();
        }
    }

    /// <summary>Deletes the oldest segment (the quota's job decides which records that loses).</summary>
    public void DropOldest()
    {
        DeleteSegment(0);
        AdvanceMark();
    }

    /// <summary>Marks the index closed: cursors throw from now on.</summary>
    public void Close() => IsClosed = true;

    /// <summary>
    /// The runs of acknowledged, committed records after the mark (see SpillAckFile), oldest first, at most
    /// <see cref="SpillAckFile.MaxRanges"/>. A segment wholly settled is one run without a walk over its records.
    /// </summary>
    /// <returns>The runs (valid until the next call).</returns>
    public ReadOnlySpan<SpillAckRange> CollectAckedRanges()
    {
        _ackRanges.Clear();
        foreach (SpillSegment segment in _segments)
        {
            if (segment.Number < _markSegment || segment.Settled == 0 || segment.Records.Count == 0)
            {
                continue;
            }

            List<SpillRecordSlot> records = segment.Records;
            if (segment.Number != _markSegment && segment.Settled == records.Count
                && new SpillPosition(segment.Number, records[^1].Offset) < CommittedThrough)
            {
                _ackRanges.Add(new SpillAckRange(segment.Number, records[0].Offset, records[^1].Offset));
            }
            else
            {
                CollectRuns(segment, segment.Number == _markSegment ? _markIndex : 0);
            }

            if (_ackRanges.Count >= SpillAckFile.MaxRanges)
            {
                break;
            }
        }

        return CollectionsMarshal.AsSpan(_ackRanges);
    }

    private void CollectRuns(SpillSegment segment, int first)
    {
        List<SpillRecordSlot> records = segment.Records;
        int run = -1;
        for (int i = first; i <= records.Count; i++)
        {
            bool acked = i < records.Count && records[i].State != SpillSlotState.Pending
                && new SpillPosition(segment.Number, records[i].Offset) < CommittedThrough;
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
                    return;
                }
            }
        }
    }

    /// <summary>Moves the mark over settled records; deletes sealed segments that end up wholly below it.</summary>
    private void AdvanceMark()
    {
        while (true)
        {
            int segmentIndex = FindSegment(_markSegment, exact: false);
            if (segmentIndex < 0)
            {
                _markSegment = NextSegmentNumber;
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

            bool active = LastIsActive && segmentIndex == _segments.Count - 1;
            if (_markIndex < records.Count || active)
            {
                return;
            }

            DeleteSegment(segmentIndex);
            _markSegment = segment.Number + 1;
            _markIndex = 0;
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

        DiskBytes -= segment.Length;
        _segments.RemoveAt(segmentIndex);
    }
}
