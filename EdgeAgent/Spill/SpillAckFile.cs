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

// Design: the low-water mark (every record before it is acknowledged) in a 32-byte file, replaced
// atomically: written to ack.tmp, fsynced, renamed over "ack", directory fsynced. A crash leaves either
// the old or the new mark, never a mix; a torn ack.tmp is deleted at open.
//   [0] magic u32 "EACK" (0x4B434145)  [4] version u16 = 1  [6] reserved u16
//   [8] segment u64  [16] offset i64  [24] reserved u32  [28] crc32c u32 of bytes [0, 28)

/// <summary>Reads and writes the persisted acknowledgement mark.</summary>
internal static class SpillAckFile
{
    public const string FileName = "ack";
    public const string TempFileName = "ack.tmp";
    private const uint Magic = 0x4B434145;
    private const int Bytes = 32;

    /// <summary>Reads the mark from the directory.</summary>
    public static SpillAckStatus Read(string directory, out SpillPosition mark)
    {
        mark = SpillPosition.Start;
        string path = Path.Combine(directory, FileName);
        byte[] data;
        try
        {
            if (!File.Exists(path))
            {
                return SpillAckStatus.Missing;
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

        ReadOnlySpan<byte> d = data;
        if (d.Length != Bytes || BinaryPrimitives.ReadUInt32LittleEndian(d) != Magic || BinaryPrimitives.ReadUInt16LittleEndian(d[4..]) != 1
            || BinaryPrimitives.ReadUInt32LittleEndian(d[28..]) != SpillRecordCodec.Crc32C(d[..28]))
        {
            return SpillAckStatus.Damaged;
        }

        long offset = BinaryPrimitives.ReadInt64LittleEndian(d[16..]);
        if (offset < 0)
        {
            return SpillAckStatus.Damaged;
        }

        mark = new SpillPosition(BinaryPrimitives.ReadUInt64LittleEndian(d[8..]), offset);
        return SpillAckStatus.Ok;
    }

    /// <summary>Replaces the mark crash-safely.</summary>
    public static void Write(string directory, SpillPosition mark, bool fsync)
    {
        Span<byte> d = stackalloc byte[Bytes];
        d.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(d, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], mark.Segment);
        BinaryPrimitives.WriteInt64LittleEndian(d[16..], mark.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(d[28..], SpillRecordCodec.Crc32C(d[..28]));
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
