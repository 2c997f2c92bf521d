using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Unicode;

namespace EdgeAgent.Hal.Ros2.Messages;

// Design:
// - Input is one serialized sample as Cyclone's ddsi_serdata_to_ser (and rclcpp's SerializedMessage) hands it
//   out: a 4-byte encapsulation header then the XCDR1 body. Header byte 0 must be 0; byte 1 selects the order:
//   1 = CDR_LE, 0 = CDR_BE. Anything else (XCDR2 PLAIN_CDR2 0x06/0x07, D_CDR2 0x08/0x09, PL_CDR 0x02/0x03)
//   is UnsupportedEncoding: @appendable/@mutable peers switch to XCDR2, which this codec does not speak.
//   Bytes 2..3 are options; Cyclone puts the end-padding count in their low bits, so they are ignored.
// - Alignment counts from the first body byte (offset 4 of the buffer): a primitive of size n (1, 2, 4, 8)
//   starts at a body offset that is a multiple of n. Padding bytes are skipped, not checked.
// - Errors are sticky status values, not exceptions: the first failure is recorded, every later read returns
//   default without touching the input, and the decoder checks Status once at the end (or before a loop).
//   Decoding runs on the receive thread for every sample of untrusted network input; a malformed sample must
//   cost a counter increment, not an exception unwinding through the DDS callback, and no read may leave the span.
// - Limits: a sequence/string length is checked against the bytes that remain (count * minimum element size)
//   and against the capacity of the preallocated target before anything is read, so a hostile count of 2^32-1
//   fails in O(1) and never allocates. Arithmetic is done in long/uint so no length can wrap.
// - Fast path: primitive sequences are aligned once and block-copied; when the data's order differs from
//   the host's the copy is byte-swapped in place with BinaryPrimitives.ReverseEndianness.

/// <summary>Bounds-checked, allocation-free XCDR1 (plain CDR) reader over one serialized sample.</summary>
internal ref struct CdrReader
{
    /// <summary>Size of the encapsulation header that precedes the body.</summary>
    public const int HeaderSize = 4;

    private readonly ReadOnlySpan<byte> _body;
    private readonly bool _bigEndian;
    private int _position;
    private CdrStatus _status;

    private CdrReader(ReadOnlySpan<byte> body, bool bigEndian, CdrStatus status)
    {
        _body = body;
        _bigEndian = bigEndian;
        _position = 0;
        _status = status;
    }

    /// <summary>The first error met, or <see cref="CdrStatus.Ok"/>.</summary>
    public readonly CdrStatus Status => _status;

    /// <summary>Whether no error has been met so far.</summary>
    public readonly bool IsOk => _status == CdrStatus.Ok;

    /// <summary>Whether the body is big endian.</summary>
    public readonly bool IsBigEndian => _bigEndian;

    /// <summary>Offset of the next unread body byte (relative to the end of the header).</summary>
    public readonly int Position => _position;

    /// <summary>Body bytes not yet read.</summary>
    public readonly int Remaining => _body.Length - _position;

    /// <summary>Checks the encapsulation header and positions a reader at the start of the body.</summary>
    public static CdrStatus Open(ReadOnlySpan<byte> sample, out CdrReader reader)
    {
        if (sample.Length < HeaderSize)
        {
            reader = new CdrReader(default, false, CdrStatus.Truncated);
            return CdrStatus.Truncated;
        }

        if (sample[0] != 0 || sample[1] > 1)
        {
            reader = new CdrReader(default, false, CdrStatus.UnsupportedEncoding);
            return CdrStatus.UnsupportedEncoding;
        }

        reader = new CdrReader(sample[HeaderSize..], sample[1] == 0, CdrStatus.Ok);
        return CdrStatus.Ok;
    }

    /// <summary>Records <paramref name="status"/> unless an earlier error is already recorded.</summary>
    public void Fail(CdrStatus status)
    {
        if (_status == CdrStatus.Ok)
        {
            _status = status;
        }
    }

    public byte ReadByte() => Take(1, out var s) ? s[0] : (byte)0;

    /// <summary>Reads a CDR boolean (one byte; any non-zero value is true).</summary>
    public bool ReadBool() => ReadByte() != 0;

    public int ReadInt32() => Take(4, out var s) ? (_bigEndian ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s)) : 0;

    public uint ReadUInt32() => Take(4, out var s) ? (_bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s)) : 0;

    public long ReadInt64() => Take(8, out var s) ? (_bigEndian ? BinaryPrimitives.ReadInt64BigEndian(s) : BinaryPrimitives.ReadInt64LittleEndian(s)) : 0;

    public ulong ReadUInt64() => Take(8, out var s) ? (_bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s)) : 0;

    public float ReadSingle() => Take(4, out var s) ? (_bigEndian ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s)) : 0f;

    public double ReadDouble() => Take(8, out var s) ? (_bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s)) : 0d;

    /// <summary>
    /// Reads a string and returns its UTF-8 bytes without the terminating NUL (a view into the input).
    /// Fails with <see cref="CdrStatus.LengthLimit"/> when the string has more than <paramref name="maxBytes"/> bytes.
    /// </summary>
    public ReadOnlySpan<byte> ReadString(int maxBytes)
    {
        uint length = ReadUInt32();
        if (_status != CdrStatus.Ok)
        {
            return default;
        }

        if (length == 0)
        {
            Fail(CdrStatus.BadString);
            return default;
        }

        if (length > (uint)Remaining || length - 1 > (uint)maxBytes)
        {
            Fail(CdrStatus.LengthLimit);
            return default;
        }

        var bytes = _body.Slice(_position, (int)length);
        _position += (int)length;
        var text = bytes[..^1];
        if (bytes[^1] != 0 || !Utf8.IsValid(text))
        {
            Fail(CdrStatus.BadString);
            return default;
        }

        return text;
    }

    /// <summary>
    /// Reads a sequence count and checks it against <paramref name="max"/> and against the input left, given that
    /// every element takes at least <paramref name="minElementSize"/> bytes. Returns 0 after a failure.
    /// </summary>
    public int ReadCount(int minElementSize, int max)
    {
        uint count = ReadUInt32();
        if (_status != CdrStatus.Ok)
        {
            return 0;
        }

        if (count > (uint)max || (long)count * minElementSize > Remaining)
        {
            Fail(CdrStatus.LengthLimit);
            return 0;
        }

        return (int)count;
    }

    /// <summary>Reads a <c>sequence&lt;double&gt;</c> into <paramref name="into"/> (count checked against its capacity).</summary>
    public void ReadDoubles(DoubleSequence into)
    {
        int count = ReadCount(sizeof(double), into.Capacity);
        into.Count = 0;
        if (count > 0 && ReadDoubleArray(into.Buffer.AsSpan(0, count)))
        {
            into.Count = count;
        }
    }

    /// <summary>Reads a <c>sequence&lt;float&gt;</c> into <paramref name="into"/> (count checked against its capacity).</summary>
    public void ReadSingles(SingleSequence into)
    {
        int count = ReadCount(sizeof(float), into.Capacity);
        into.Count = 0;
        if (count > 0 && ReadBlock(into.Buffer.AsSpan(0, count), sizeof(float)))
        {
            if (_bigEndian == BitConverter.IsLittleEndian)
            {
                var words = MemoryMarshal.Cast<float, uint>(into.Buffer.AsSpan(0, count));
                BinaryPrimitives.ReverseEndianness(words, words);
            }

            into.Count = count;
        }
    }

    /// <summary>Reads a fixed-size <c>double[N]</c> (no length prefix) into <paramref name="into"/>.</summary>
    public bool ReadDoubleArray(Span<double> into)
    {
        if (!ReadBlock(into, sizeof(double)))
        {
            return false;
        }

        if (_bigEndian == BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<double, ulong>(into);
            BinaryPrimitives.ReverseEndianness(words, words);
        }

        return true;
    }

    /// <summary>Reads a string into bounded storage (capacity checked).</summary>
    public void ReadString(RosString into)
    {
        var text = ReadString(into.Capacity);
        if (_status == CdrStatus.Ok)
        {
            into.SetUtf8(text);
        }
    }

    private bool ReadBlock<T>(Span<T> into, int elementSize)
        where T : unmanaged
    {
        if (!Take(elementSize, into.Length * elementSize, out var bytes))
        {
            return false;
        }

        bytes.CopyTo(MemoryMarshal.AsBytes(into));
        return true;
    }

    private bool Take(int size, out ReadOnlySpan<byte> bytes) => Take(size, size, out bytes);

    // Fast path: aligns to `alignment` and takes `length` bytes, or records Truncated.
    private bool Take(int alignment, int length, out ReadOnlySpan<byte> bytes)
    {
        int start = (_position + alignment - 1) & ~(alignment - 1);
        if (_status != CdrStatus.Ok || (long)start + length > _body.Length)
        {
            Fail(CdrStatus.Truncated);
            bytes = default;
            return false;
        }

        bytes = _body.Slice(start, length);
        _position = start + length;
        return true;
    }
}
