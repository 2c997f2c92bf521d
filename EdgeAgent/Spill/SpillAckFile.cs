using System.Buffers.Binary;

namespace EdgeAgent.Spill;

/// <summary>What reading the acknowledgement file found.</summary>
internal enum SpillAckStatus
{
    /// <summary>No file: nothing was ever acknowledged (or everything was deleted).</summary>
    Missing,

    /// <summary>The mark was read.</summary>
    Ok,

    /// <summary>The file is unreadable: replay starts at the oldest record.</summary>
    Damaged,
}

/// <summary>
/// A run of acknowledged records beyond the mark, in one segment: every intact record starting at an offset in
/// [<paramref name="First"/>, <paramref name="Last"/>] is acknowledged.
/// </summary>
/// <param name="Segment">The segment number.</param>
/// <param name="First">The offset of the run's first record.</param>
/// <param name="Last">The offset of the run's last record.</param>
internal readonly record struct SpillAckRange(ulong Segment, long First, long Last);

/// <summary>What is acknowledged: every record before <see cref="Mark"/>, and the runs in <see cref="Ranges"/> after it.</summary>
internal sealed class SpillAcknowledged
{
    /// <summary>Gets nothing acknowledged.</summary>
    public static SpillAcknowledged None { get; } = new(SpillPosition.Start, []);

    /// <summary>Initializes a new instance of the <see cref="SpillAcknowledged"/> class.</summary>
    /// <param name="mark">The low-water mark.</param>
    /// <param name="ranges">The runs beyond it, in position order.</param>
    public SpillAcknowledged(SpillPosition mark, IReadOnlyList<SpillAckRange> ranges)
    {
        Mark = mark;
        Ranges = ranges;
    }

    /// <summary>Gets the low-water mark: every record before it is acknowledged.</summary>
    public SpillPosition Mark { get; }

    /// <summary>Gets the runs of acknowledged records after the mark, in position order.</summary>
    public IReadOnlyList<SpillAckRange> Ranges { get; }

    /// <summary>Whether the record at <paramref name="position"/> is acknowledged.</summary>
    /// <param name="position">A record's position.</param>
    /// <returns><see langword="true"/> when it is below the mark or in a run.</returns>
    public bool IsAcknowledged(SpillPosition position)
    {
        if (position < Mark)
        {
            return true;
        }

        int lo = 0;
        int hi = Ranges.Count - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            SpillAckRange range = Ranges[mid];
            if (position < new SpillPosition(range.Segment, range.First))
            {
                hi = mid - 1;
            }
            else if (position > new SpillPosition(range.Segment, range.Last))
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }
}

// Design: what is acknowledged, in one small file replaced atomically: written to ack.tmp, fsynced, renamed
// over "ack", directory fsynced. A crash leaves either the old or the new file, never a mix; a torn ack.tmp
// is deleted at open.
// - The low-water mark (every record before it is acknowledged), and since version 2 the runs of records
//   acknowledged beyond it: a replay in flight, or live batches acknowledged while an older backlog waits
//   (always mode), leave such holes. Without them every record acknowledged out of order would be sent again
//   after a clean restart. Runs, not positions: holes come in long runs (the live stream beside a backlog), so
//   an hour of them is a handful of ranges. At most MaxRanges are kept (the oldest); beyond that the newer
//   acknowledged records are sent again after a restart (at-least-once: the receiver de-duplicates).
// - Only committed records are listed (the writer passes runs below CommittedThrough): an offset past the
//   durable end may hold a different record after a crash and resumed appends.
//   [0] magic u32 "EACK" (0x4B434145)  [4] version u16 (1 or 2)  [6] reserved u16
//   [8] mark segment u64  [16] mark offset i64
//   version 1: [24] reserved u32  [28] crc32c u32 of bytes [0, 28)                              (32 bytes)
//   version 2: [24] range count u32 N  [28] N x (segment u64, first i64, last i64)  then crc32c u32 of all before it

/// <summary>Reads and writes the persisted acknowledgement state.</summary>
internal static class SpillAckFile
{
    public const string FileName = "ack";
    public const string TempFileName = "ack.tmp";

    /// <summary>The most runs beyond the mark that are kept (the file is then at most about 100 KB).</summary>
    public const int MaxRanges = 4096;

    private const uint Magic = 0x4B434145;
    private const int HeaderBytes = 28;
    private const int RangeBytes = 24;
    private const int V1Bytes = 32;

    /// <summary>Reads the mark from the directory (the runs beyond it are ignored).</summary>
    public static SpillAckStatus Read(string directory, out SpillPosition mark)
    {
        SpillAckStatus status = Read(directory, out SpillAcknowledged acknowledged);
        mark = acknowledged.Mark;
        return status;
    }

    /// <summary>Reads what is acknowledged from the directory.</summary>
    public static SpillAckStatus Read(string directory, out SpillAcknowledged acknowledged)
    {
        acknowledged = SpillAcknowledged.None;
        string path = Path.Combine(directory, FileName);
        byte[] data;
        try
        {
            if (!File.Exists(path))
            {
                return SpillAckStatus.Missing;
            }

            // A regular file of at most the largest valid size (never a FIFO: the scanner checked its type).
            var info = new FileInfo(path);
            if (info.Length > HeaderBytes + ((long)MaxRanges * RangeBytes) + 4)
            {
                return SpillAckStatus.Damaged;
            }

            data = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return SpillAckStatus.Damaged;
        }
        catch (UnauthorizedAccessException)
        {
            return SpillAckStatus.Damaged;
        }

        return Parse(data, out acknowledged);
    }

    /// <summary>Parses the file's bytes.</summary>
    internal static SpillAckStatus Parse(ReadOnlySpan<byte> d, out SpillAcknowledged acknowledged)
    {
        acknowledged = SpillAcknowledged.None;
        if (d.Length < V1Bytes || BinaryPrimitives.ReadUInt32LittleEndian(d) != Magic)
        {
            return SpillAckStatus.Damaged;
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(d[4..]);
        int count = 0;
        int length;
        if (version == 1)
        {
            length = V1Bytes;
        }
        else if (version == 2)
        {
            uint n = BinaryPrimitives.ReadUInt32LittleEndian(d[24..]);
            if (n > MaxRanges)
            {
                return SpillAckStatus.Damaged;
            }

            count = (int)n;
            length = HeaderBytes + (count * RangeBytes) + 4;
        }
        else
        {
            return SpillAckStatus.Damaged;
        }

        if (d.Length != length || BinaryPrimitives.ReadUInt32LittleEndian(d[(length - 4)..]) != SpillRecordCodec.Crc32C(d[..(length - 4)]))
        {
            return SpillAckStatus.Damaged;
        }

        long offset = BinaryPrimitives.ReadInt64LittleEndian(d[16..]);
        if (offset < 0)
        {
            return SpillAckStatus.Damaged;
        }

        var mark = new SpillPosition(BinaryPrimitives.ReadUInt64LittleEndian(d[8..]), offset);
        var ranges = new SpillAckRange[count];
        SpillPosition previous = mark;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> r = d.Slice(HeaderBytes + (i * RangeBytes), RangeBytes);
            var range = new SpillAckRange(BinaryPrimitives.ReadUInt64LittleEndian(r), BinaryPrimitives.ReadInt64LittleEndian(r[8..]), BinaryPrimitives.ReadInt64LittleEndian(r[16..]));
            var first = new SpillPosition(range.Segment, range.First);
            if (range.First < 0 || range.Last < range.First || first < previous)
            {
                return SpillAckStatus.Damaged; // out of order or overlapping: not written by this code
            }

            ranges[i] = range;
            previous = new SpillPosition(range.Segment, range.Last);
        }

        acknowledged = new SpillAcknowledged(mark, ranges);
        return SpillAckStatus.Ok;
    }

    /// <summary>Replaces the mark crash-safely (no runs beyond it).</summary>
    public static void Write(string directory, SpillPosition mark, bool fsync) => Write(directory, mark, [], fsync);

    /// <summary>Replaces the acknowledgement state crash-safely.</summary>
    /// <param name="directory">The spill directory.</param>
    /// <param name="mark">The low-water mark.</param>
    /// <param name="ranges">The runs beyond it, in position order; at most <see cref="MaxRanges"/> are written.</param>
    /// <param name="fsync">Whether to fsync the file and the directory.</param>
    public static void Write(string directory, SpillPosition mark, ReadOnlySpan<SpillAckRange> ranges, bool fsync)
    {
        int count = Math.Min(ranges.Length, MaxRanges);
        int length = HeaderBytes + (count * RangeBytes) + 4;
        byte[] buffer = new byte[length];
        Span<byte> d = buffer;
        BinaryPrimitives.WriteUInt32LittleEndian(d, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], 2);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], mark.Segment);
        BinaryPrimitives.WriteInt64LittleEndian(d[16..], mark.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(d[24..], (uint)count);
        for (int i = 0; i < count; i++)
        {
            Span<byte> r = d.Slice(HeaderBytes + (i * RangeBytes), RangeBytes);
            BinaryPrimitives.WriteUInt64LittleEndian(r, ranges[i].Segment);
            BinaryPrimitives.WriteInt64LittleEndian(r[8..], ranges[i].First);
            BinaryPrimitives.WriteInt64LittleEndian(r[16..], ranges[i].Last);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(d[(length - 4)..], SpillRecordCodec.Crc32C(d[..(length - 4)]));
        string temp = Path.Combine(directory, TempFileName);
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(d);
            if (fsync)
            {
                stream.Flush(flushToDisk: true);
            }
        }

        File.Move(temp, Path.Combine(directory, FileName), overwrite: true);
        if (fsync)
        {
            _ = SpillNative.FsyncDirectory(directory);
        }
    }
}
