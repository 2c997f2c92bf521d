using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>
/// XCDR1 little-endian writer into a span. Writes the header <c>00 01 00 pp</c>, aligns every primitive to its size
/// counted from the end of the header, and <see cref="Finish"/> pads the total to a multiple of 4 and records the
/// padding count pp in the low bits of the options, as Cyclone DDS 0.10 does (XTypes 1.3, 7.6.3.1.2).
/// When the span is too small the writer keeps counting without storing, so an empty span measures a message.
/// </summary>
internal ref struct CdrWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private CdrStatus _status;

    /// <summary>Starts a sample in <paramref name="buffer"/> (may be empty to measure).</summary>
    public CdrWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = CdrReader.HeaderSize;
        _status = CdrStatus.Ok;
        if (buffer.Length >= CdrReader.HeaderSize)
        {
            buffer[0] = 0;
            buffer[1] = 1;
            buffer[2] = 0;
            buffer[3] = 0;
        }
        else
        {
            _status = CdrStatus.BufferTooSmall;
        }
    }

    /// <summary>Bytes written (or needed) so far, header included.</summary>
    public readonly int Position => _position;

    /// <summary><see cref="CdrStatus.Ok"/>, <see cref="CdrStatus.BufferTooSmall"/> or an error set with <see cref="Fail"/>.</summary>
    public readonly CdrStatus Status => _status;

    /// <summary>Records <paramref name="status"/>; an explicit error replaces BufferTooSmall.</summary>
    public void Fail(CdrStatus status)
    {
        if (_status is CdrStatus.Ok or CdrStatus.BufferTooSmall)
        {
            _status = status;
        }
    }

    public void WriteByte(byte value)
    {
        var s = Take(1, 1);
        if (!s.IsEmpty)
        {
            s[0] = value;
        }
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteInt32(int value)
    {
        var s = Take(4, 4);
        if (!s.IsEmpty)
        {
            BinaryPrimitives.WriteInt32LittleEndian(s, value);
        }
    }

    public void WriteUInt32(uint value)
    {
        var s = Take(4, 4);
        if (!s.IsEmpty)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s, value);
        }
    }

    public void WriteInt64(long value)
    {
        var s = Take(8, 8);
        if (!s.IsEmpty)
        {
            BinaryPrimitives.WriteInt64LittleEndian(s, value);
        }
    }

    public void WriteUInt64(ulong value)
    {
        var s = Take(8, 8);
        if (!s.IsEmpty)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s, value);
        }
    }

    public void WriteSingle(float value)
    {
        var s = Take(4, 4);
        if (!s.IsEmpty)
        {
            BinaryPrimitives.WriteSingleLittleEndian(s, value);
        }
    }

    public void WriteDouble(double value)
    {
        var s = Take(8, 8);
        if (!s.IsEmpty)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(s, value);
        }
    }

    /// <summary>Writes a string given as UTF-8 bytes (no NUL): length + 1, bytes, NUL.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        WriteUInt32((uint)utf8.Length + 1);
        var s = Take(1, utf8.Length + 1);
        if (!s.IsEmpty)
        {
            utf8.CopyTo(s);
            s[^1] = 0;
        }
    }

    /// <summary>Writes a string, encoding it as UTF-8 without allocating.</summary>
    public void WriteString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)length + 1);
        var s = Take(1, length + 1);
        if (!s.IsEmpty)
        {
            Encoding.UTF8.GetBytes(value, s);
            s[^1] = 0;
        }
    }

    /// <summary>Writes a sequence count.</summary>
    public void WriteCount(int count) => WriteUInt32((uint)count);

    /// <summary>Writes a <c>sequence&lt;double&gt;</c>: count, then (only when non-empty) aligned elements.</summary>
    public void WriteDoubles(ReadOnlySpan<double> values)
    {
        WriteCount(values.Length);
        if (!values.IsEmpty)
        {
            WriteDoubleArray(values);
        }
    }

    /// <summary>Writes a <c>sequence&lt;float&gt;</c>: count, then (only when non-empty) aligned elements.</summary>
    public void WriteSingles(ReadOnlySpan<float> values)
    {
        WriteCount(values.Length);
        var s = values.IsEmpty ? default : Take(sizeof(float), values.Length * sizeof(float));
        if (!s.IsEmpty)
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(s[(i * sizeof(float))..], values[i]);
            }
        }
    }

    /// <summary>Writes a fixed-size <c>double[N]</c> (no count).</summary>
    public void WriteDoubleArray(ReadOnlySpan<double> values)
    {
        var s = Take(sizeof(double), values.Length * sizeof(double));
        if (s.IsEmpty)
        {
            return;
        }

        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(s);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(s[(i * sizeof(double))..], values[i]);
            }
        }
    }

    /// <summary>Pads the sample to a multiple of 4, records the padding in the header and returns the total size.</summary>
    public int Finish()
    {
        int pad = -_position & 3;
        _ = Take(1, pad);
        if (_status != CdrStatus.BufferTooSmall && _buffer.Length >= CdrReader.HeaderSize)
        {
            _buffer[3] = (byte)pad;
        }

        return _position;
    }

    // Aligns (zero padding) relative to the end of the header and reserves `length` bytes; empty when they don't fit.
    private Span<byte> Take(int alignment, int length)
    {
        int start = CdrReader.HeaderSize + ((_position - CdrReader.HeaderSize + alignment - 1) & ~(alignment - 1));
        int end = start + length;
        bool fits = end <= _buffer.Length;
        if (fits)
        {
            _buffer[_position..start].Clear();
        }
        else
        {
            Fail(CdrStatus.BufferTooSmall);
        }

        _position = end;
        return fits && length > 0 ? _buffer[start..end] : default;
    }
}
