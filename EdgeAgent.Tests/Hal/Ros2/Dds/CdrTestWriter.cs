using System.Buffers.Binary;
using System.Text;

namespace EdgeAgent.Tests.Hal.Ros2.Dds;

/// <summary>Builds little-endian XCDR1 by hand for tests (alignment counted after the 4-byte header).</summary>
internal sealed class CdrTestWriter
{
    private readonly List<byte> _bytes = [0x00, 0x01, 0x00, 0x00];

    public CdrTestWriter Int32(int value) => Put(4, b => BinaryPrimitives.WriteInt32LittleEndian(b, value));

    public CdrTestWriter UInt32(uint value) => Put(4, b => BinaryPrimitives.WriteUInt32LittleEndian(b, value));

    public CdrTestWriter Double(double value) => Put(8, b => BinaryPrimitives.WriteDoubleLittleEndian(b, value));

    public CdrTestWriter String(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        UInt32((uint)utf8.Length + 1);
        _bytes.AddRange(utf8);
        _bytes.Add(0);
        return this;
    }

    public CdrTestWriter Strings(params string[] values)
    {
        UInt32((uint)values.Length);
        foreach (var v in values)
        {
            String(v);
        }

        return this;
    }

    public CdrTestWriter Doubles(params double[] values)
    {
        UInt32((uint)values.Length);
        foreach (var v in values)
        {
            Double(v);
        }

        return this;
    }

    /// <summary>Pads the body to a multiple of 4 and returns the bytes.</summary>
    public byte[] ToArray()
    {
        while ((_bytes.Count - 4) % 4 != 0)
        {
            _bytes.Add(0);
        }

        return [.. _bytes];
    }

    /// <summary>A JointState: header, names, positions, velocities, efforts.</summary>
    public static byte[] JointState(int sec, uint nanosec, string frameId, string[] names, double[] position, double[] velocity, double[] effort) =>
        new CdrTestWriter().Int32(sec).UInt32(nanosec).String(frameId)
            .Strings(names).Doubles(position).Doubles(velocity).Doubles(effort).ToArray();

    private CdrTestWriter Put(int size, Action<Span<byte>> write)
    {
        while ((_bytes.Count - 4) % size != 0)
        {
            _bytes.Add(0);
        }

        var tmp = new byte[size];
        write(tmp);
        _bytes.AddRange(tmp);
        return this;
    }
}

/// <summary>Reads little-endian XCDR1 JointState for tests.</summary>
internal ref struct CdrTestReader(ReadOnlySpan<byte> cdr)
{
    private readonly ReadOnlySpan<byte> _cdr = cdr;
    private int _pos = 4;

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public string String()
    {
        var length = (int)UInt32();
        var s = Encoding.UTF8.GetString(_cdr.Slice(_pos, length - 1));
        _pos += length;
        return s;
    }

    public string[] Strings()
    {
        var n = (int)UInt32();
        var result = new string[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = String();
        }

        return result;
    }

    public double[] Doubles()
    {
        var n = (int)UInt32();
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = Double();
        }

        return result;
    }

    private ReadOnlySpan<byte> Take(int size)
    {
        _pos = 4 + (((_pos - 4) + size - 1) / size * size);
        var s = _cdr.Slice(_pos, size);
        _pos += size;
        return s;
    }
}
