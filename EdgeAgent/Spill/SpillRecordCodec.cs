using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAgent.Spill;

// Design: the on-disk format of the spill (version 1). Every integer is little-endian.
//
// Directory: {number:D20}.seg segment files, "ack" (the persisted low-water mark, see SpillAckFile),
// "ack.tmp" (a mark being written; deleted at open), "quarantine/" (files recovery refused to use).
//
// Segment header, 32 bytes:
//   [0]  magic u32 "ESEG" (0x47455345)   [4] format version u16 = 1   [6] header length u16 = 32
//   [8]  segment number u64 (equals the file name's number)
//   [16] first ordinal u64 (the ordinal of the first record appended to this segment)
//   [24] reserved u32 = 0                 [28] crc32c u32 of bytes [0, 28)
//
// Record, 32 bytes + ids + payload, records back to back after the header:
//   [0]  magic u32 "EREC" (0x43455245)
//   [4]  total length u32 (of the whole record, header included; 32 <= length <= MaxRecordBytes)
//   [8]  crc32c u32 of bytes [12, length)
//   [12] ordinal u64 (+1 per record across the whole log: a gap between intact records counts the lost ones exactly)
//   [20] robot id length u16, robot id UTF-8
//        boot id length u16, boot id UTF-8
//        seq u64
//        payload (the rest: opaque bytes, never parsed)
//
// Decoding is bounds-checked against the span it is given and returns a status, never throws on bad
// data. The length and magic are outside the CRC: a damaged length makes the CRC fail (or reach past
// the data: Truncated), a damaged magic is BadMagic; a scanner resynchronises on the next magic.
// CRC32C (Castagnoli, reflected, init and final xor ~0) uses the CPU instruction 8 bytes at a time.

/// <summary>The result of decoding a record or a segment header.</summary>
internal enum SpillDecodeStatus
{
    /// <summary>Intact.</summary>
    Ok,

    /// <summary>The data ends before the record does (a torn tail, or a damaged length).</summary>
    Truncated,

    /// <summary>No record starts here.</summary>
    BadMagic,

    /// <summary>The checksum does not match: the record is damaged.</summary>
    BadCrc,

    /// <summary>The length field is larger than any record may be.</summary>
    TooLong,

    /// <summary>The length field is smaller than a record, or the id lengths do not fit in it.</summary>
    BadLength,

    /// <summary>A segment header of an unknown format version.</summary>
    BadVersion,
}

/// <summary>A decoded record: spans into the buffer it was decoded from.</summary>
internal readonly ref struct SpillRecordView
{
    public SpillRecordView(int length, ulong ordinal, ReadOnlySpan<byte> robotId, ReadOnlySpan<byte> bootId, ulong seq, ReadOnlySpan<byte> payload)
    {
        Length = length;
        Ordinal = ordinal;
        RobotId = robotId;
        BootId = bootId;
        Seq = seq;
        Payload = payload;
    }

    public int Length { get; }

    public ulong Ordinal { get; }

    public ReadOnlySpan<byte> RobotId { get; }

    public ReadOnlySpan<byte> BootId { get; }

    public ulong Seq { get; }

    public ReadOnlySpan<byte> Payload { get; }
}

/// <summary>Encodes and decodes segment headers and records (format above).</summary>
internal static class SpillRecordCodec
{
    public const uint SegmentMagic = 0x47455345; // "ESEG"
    public const uint RecordMagic = 0x43455245;  // "EREC"
    public const ushort FormatVersion = 1;
    public const int SegmentHeaderBytes = 32;
    public const int RecordHeaderBytes = 12;
    public const int MinRecordBytes = 32;
    public const int MaxIdBytes = ushort.MaxValue;

    /// <summary>The largest record (64 MiB): a larger length field is damage, not data.</summary>
    public const int MaxRecordBytes = 64 << 20;

    /// <summary>Gets the encoded length of a record with these id lengths (UTF-8 bytes) and payload.</summary>
    public static long RecordLength(int robotIdBytes, int bootIdBytes, int payloadBytes) =>
        (long)MinRecordBytes + robotIdBytes + bootIdBytes + payloadBytes;

    /// <summary>Writes a segment header.</summary>
    public static void WriteSegmentHeader(Span<byte> destination, ulong segment, ulong firstOrdinal)
    {
        Span<byte> h = destination[..SegmentHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(h, SegmentMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], SegmentHeaderBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(h[8..], segment);
        BinaryPrimitives.WriteUInt64LittleEndian(h[16..], firstOrdinal);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], Crc32C(h[..28]));
    }

    /// <summary>Decodes a segment header.</summary>
    public static SpillDecodeStatus ReadSegmentHeader(ReadOnlySpan<byte> source, out ulong segment, out ulong firstOrdinal)
    {
        segment = 0;
        firstOrdinal = 0;
        if (source.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(source) != SegmentMagic)
        {
            return SpillDecodeStatus.BadMagic;
        }

        if (source.Length < SegmentHeaderBytes)
        {
            return SpillDecodeStatus.Truncated;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[28..]) != Crc32C(source[..28]))
        {
            return SpillDecodeStatus.BadCrc;
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(source[4..]) != FormatVersion || BinaryPrimitives.ReadUInt16LittleEndian(source[6..]) != SegmentHeaderBytes)
        {
            return SpillDecodeStatus.BadVersion;
        }

        segment = BinaryPrimitives.ReadUInt64LittleEndian(source[8..]);
        firstOrdinal = BinaryPrimitives.ReadUInt64LittleEndian(source[16..]);
        return SpillDecodeStatus.Ok;
    }

    /// <summary>Writes a record; <paramref name="destination"/> must hold <see cref="RecordLength"/> bytes.</summary>
    /// <returns>The bytes written.</returns>
    public static int WriteRecord(Span<byte> destination, ulong ordinal, ReadOnlySpan<byte> robotId, ReadOnlySpan<byte> bootId, ulong seq, ReadOnlySpan<byte> payload)
    {
        int length = checked((int)RecordLength(robotId.Length, bootId.Length, payload.Length));
        Span<byte> r = destination[..length];
        BinaryPrimitives.WriteUInt32LittleEndian(r, RecordMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(r[4..], (uint)length);
        BinaryPrimitives.WriteUInt64LittleEndian(r[12..], ordinal);
        int at = 20;
        BinaryPrimitives.WriteUInt16LittleEndian(r[at..], (ushort)robotId.Length);
        robotId.CopyTo(r[(at + 2)..]);
        at += 2 + robotId.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(r[at..], (ushort)bootId.Length);
        bootId.CopyTo(r[(at + 2)..]);
        at += 2 + bootId.Length;
        BinaryPrimitives.WriteUInt64LittleEndian(r[at..], seq);
        payload.CopyTo(r[(at + 8)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(r[8..], Crc32C(r[RecordHeaderBytes..]));
        return length;
    }

    /// <summary>Reads the length field of a record that starts with the record magic (0 when fewer than 8 bytes).</summary>
    public static long PeekLength(ReadOnlySpan<byte> source) =>
        source.Length < 8 ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(source[4..]);

    /// <summary>Decodes the record at the start of <paramref name="source"/>; never reads outside it.</summary>
    public static SpillDecodeStatus ReadRecord(ReadOnlySpan<byte> source, out SpillRecordView record)
    {
        record = default;
        if (source.Length < 4)
        {
            return SpillDecodeStatus.Truncated;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != RecordMagic)
        {
            return SpillDecodeStatus.BadMagic;
        }

        if (source.Length < RecordHeaderBytes)
        {
            return SpillDecodeStatus.Truncated;
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]);
        if (length < MinRecordBytes)
        {
            return SpillDecodeStatus.BadLength;
        }

        if (length > MaxRecordBytes)
        {
            return SpillDecodeStatus.TooLong;
        }

        if (length > (uint)source.Length)
        {
            return SpillDecodeStatus.Truncated;
        }

        ReadOnlySpan<byte> r = source[..(int)length];
        if (BinaryPrimitives.ReadUInt32LittleEndian(r[8..]) != Crc32C(r[RecordHeaderBytes..]))
        {
            return SpillDecodeStatus.BadCrc;
        }

        ulong ordinal = BinaryPrimitives.ReadUInt64LittleEndian(r[12..]);
        int at = 20;
        int robotLength = BinaryPrimitives.ReadUInt16LittleEndian(r[at..]);
        if (at + 2 + robotLength + 2 + 8 > r.Length)
        {
            return SpillDecodeStatus.BadLength;
        }

        ReadOnlySpan<byte> robot = r.Slice(at + 2, robotLength);
        at += 2 + robotLength;
        int bootLength = BinaryPrimitives.ReadUInt16LittleEndian(r[at..]);
        if (at + 2 + bootLength + 8 > r.Length)
        {
            return SpillDecodeStatus.BadLength;
        }

        ReadOnlySpan<byte> boot = r.Slice(at + 2, bootLength);
        at += 2 + bootLength;
        ulong seq = BinaryPrimitives.ReadUInt64LittleEndian(r[at..]);
        record = new SpillRecordView((int)length, ordinal, robot, boot, seq, r[(at + 8)..]);
        return SpillDecodeStatus.Ok;
    }

    /// <summary>Decodes an id (invalid UTF-8 becomes U+FFFD; the CRC already vouched for the bytes).</summary>
    public static string DecodeId(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);

    /// <summary>Computes CRC32C (Castagnoli) with the CPU instruction, 8 bytes at a time.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        ref byte start = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int i = 0;
        for (; i <= length - 8; i += 8)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
        }

        for (; i < length; i++)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref start, i));
        }

        return ~crc;
    }
}
