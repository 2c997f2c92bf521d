using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace EdgeAgent.Spill;

/// <summary>Where an intact record is in its segment, and whether it is still owed upstream.</summary>
internal struct SpillRecordSlot
{
    public long Offset;
    public int Length;
    public SpillSlotState State;
}

/// <summary>The state of a record in the in-memory index.</summary>
internal enum SpillSlotState : byte
{
    /// <summary>Not yet acknowledged.</summary>
    Pending,

    /// <summary>Acknowledged.</summary>
    Acked,

    /// <summary>Found damaged when read back: skipped and counted.</summary>
    Dead,
}

/// <summary>Receives each intact record a scan finds (spans valid during the call only).</summary>
internal interface ISpillRecordVisitor
{
    void OnRecord(ulong segment, long offset, in SpillRecordView record);
}

/// <summary>What scanning one segment file found.</summary>
internal sealed class SpillSegmentScan
{
    public required string Path { get; init; }

    public ulong Number { get; init; }

    public long FileLength { get; init; }

    public SpillDecodeStatus HeaderStatus { get; set; }

    public ulong FirstOrdinal { get; set; }

    /// <summary>Gets the ordinal the next record would have had: one past the last intact record.</summary>
    public ulong NextOrdinal { get; set; }

    public List<SpillRecordSlot> Records { get; } = [];

    /// <summary>Gets or sets the end of the last intact record (the header's end when there is none).</summary>
    public long LastGoodEnd { get; set; }

    /// <summary>Gets or sets the records lost between intact records of this segment (ordinal gaps).</summary>
    public long CorruptRecords { get; set; }

    /// <summary>Gets or sets the damaged bytes between intact records.</summary>
    public long CorruptBytes { get; set; }

    /// <summary>Gets the bytes after the last intact record (a torn tail in the last segment).</summary>
    public long TailBytes => HeaderStatus == SpillDecodeStatus.Ok ? FileLength - LastGoodEnd : 0;
}

// Design: a segment is read sequentially through a window buffer (pooled, 1 MiB, grown to the largest
// record seen); nothing is memory-mapped, so a file truncated underneath cannot fault the process. At
// each offset a record is decoded; on any failure the scan resynchronises on the next record magic
// (byte by byte, IndexOf), so a zero-filled page or garbage is one skipped region. Ordinals count the
// records lost in a region exactly: next intact ordinal minus the expected one.

/// <summary>Scans a segment file without modifying it.</summary>
internal static class SpillSegmentScanner
{
    private const int WindowBytes = 1 << 20;

    /// <summary>Scans one segment file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="number">Its segment number (from its name).</param>
    /// <param name="visitor">Sees every intact record, or null.</param>
    /// <param name="maxSegmentBytes">spill.segment_bytes: no segment written by the agent is longer than this plus one
    /// record, so nothing past that is read (a file extended to a huge sparse size costs no more than a real one).</param>
    public static SpillSegmentScan Scan(string path, ulong number, ISpillRecordVisitor? visitor, long maxSegmentBytes)
    {
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long fileLength = RandomAccess.GetLength(handle);
        var scan = new SpillSegmentScan { Path = path, Number = number, FileLength = fileLength };
        var window = new Window(handle, Math.Min(fileLength, ScanLimit(maxSegmentBytes)));
        try
        {
            window.Ensure(0, (int)Math.Min(fileLength, SpillRecordCodec.SegmentHeaderBytes));
            scan.HeaderStatus = SpillRecordCodec.ReadSegmentHeader(window.From(0), out ulong headerNumber, out ulong firstOrdinal);
            if (scan.HeaderStatus == SpillDecodeStatus.Ok && headerNumber != number)
            {
                scan.HeaderStatus = SpillDecodeStatus.BadMagic;
            }

            if (scan.HeaderStatus != SpillDecodeStatus.Ok)
            {
                return scan;
            }

            scan.FirstOrdinal = firstOrdinal;
            ScanRecords(scan, window, visitor, ScanLimit(maxSegmentBytes));
            return scan;
        }
        finally
        {
            window.Dispose();
        }
    }

    /// <summary>Gets how much of a segment can hold records written by the agent.</summary>
    internal static long ScanLimit(long maxSegmentBytes) => Math.Max(maxSegmentBytes, 0) + SpillRecordCodec.SegmentHeaderBytes + SpillRecordCodec.MaxRecordBytes;

    private static void ScanRecords(SpillSegmentScan scan, Window window, ISpillRecordVisitor? visitor, long limit)
    {
        long length = Math.Min(scan.FileLength, limit);
        long pos = SpillRecordCodec.SegmentHeaderBytes;
        long lastGoodEnd = pos;
        ulong expected = scan.FirstOrdinal;
        while (pos < length)
        {
            long remaining = length - pos;
            window.Ensure(pos, (int)Math.Min(remaining, SpillRecordCodec.RecordHeaderBytes));
            long claimed = SpillRecordCodec.PeekLength(window.From(pos));
            if (claimed >= SpillRecordCodec.MinRecordBytes && claimed <= SpillRecordCodec.MaxRecordBytes && claimed <= remaining)
            {
                window.Ensure(pos, (int)claimed);
            }

            if (SpillRecordCodec.ReadRecord(window.From(pos), out SpillRecordView record) == SpillDecodeStatus.Ok)
            {
                if (pos != lastGoodEnd)
                {
                    scan.CorruptBytes += pos - lastGoodEnd;
                    scan.CorruptRecords += record.Ordinal > expected ? (long)(record.Ordinal - expected) : 0;
                }

                scan.Records.Add(new SpillRecordSlot { Offset = pos, Length = record.Length });
                visitor?.OnRecord(scan.Number, pos, record);
                expected = record.Ordinal + 1;
                pos += record.Length;
                lastGoodEnd = pos;
            }
            else
            {
                pos = window.FindMagic(pos + 1);
            }
        }

        scan.LastGoodEnd = lastGoodEnd;
        scan.NextOrdinal = expected;
    }

    /// <summary>A read window over the file: [Start, Start + Count) is in Buffer.</summary>
    private sealed class Window(SafeFileHandle handle, long fileLength) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(WindowBytes);
        private long _start;
        private int _count;

        public ReadOnlySpan<byte> From(long position) => _buffer.AsSpan((int)(position - _start), _count - (int)(position - _start));

        /// <summary>Makes [position, position + need) readable (need never reaches past the file).</summary>
        public void Ensure(long position, int need)
        {
            if (position >= _start && position + need <= _start + _count)
            {
                return;
            }

            if (need > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(need);
            }

            _start = position;
            int want = (int)Math.Min(_buffer.Length, fileLength - position);
            int read = 0;
            while (read < want)
            {
                int n = RandomAccess.Read(handle, _buffer.AsSpan(read, want - read), position + read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            _count = read;
        }

        /// <summary>Finds the next record magic at or after <paramref name="position"/>; the file length when none.</summary>
        public long FindMagic(long position)
        {
            Span<byte> magic = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(magic, SpillRecordCodec.RecordMagic);
            while (position <= fileLength - 4)
            {
                Ensure(position, (int)Math.Min(fileLength - position, 4));
                int found = From(position).IndexOf(magic);
                if (found >= 0)
                {
                    return position + found;
                }

                // Keep the last three bytes: a magic may straddle the window's end.
                long next = _start + _count - 3;
                position = next > position ? next : position + 1;
                _start = 0;
                _count = 0;
            }

            return fileLength;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
