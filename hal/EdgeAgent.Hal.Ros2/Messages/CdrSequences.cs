using System.Text;

namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>Preallocated storage for a <c>sequence&lt;double&gt;</c>: a buffer of fixed capacity and a count.</summary>
internal sealed class DoubleSequence
{
    /// <summary>Creates storage for up to <paramref name="capacity"/> elements.</summary>
    public DoubleSequence(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Buffer = new double[capacity];
    }

    /// <summary>The backing buffer; elements past <see cref="Count"/> are stale.</summary>
    public double[] Buffer { get; }

    /// <summary>Maximum element count; a longer sequence decodes as <see cref="CdrStatus.LengthLimit"/>.</summary>
    public int Capacity => Buffer.Length;

    /// <summary>Number of valid elements.</summary>
    public int Count { get; set; }

    /// <summary>The valid elements.</summary>
    public Span<double> Span => Buffer.AsSpan(0, Count);

    /// <summary>Copies <paramref name="values"/> in; false (unchanged) when they exceed the capacity.</summary>
    public bool Set(ReadOnlySpan<double> values)
    {
        if (values.Length > Capacity)
        {
            return false;
        }

        values.CopyTo(Buffer);
        Count = values.Length;
        return true;
    }
}

/// <summary>Preallocated storage for a <c>sequence&lt;float&gt;</c>: a buffer of fixed capacity and a count.</summary>
internal sealed class SingleSequence
{
    /// <summary>Creates storage for up to <paramref name="capacity"/> elements.</summary>
    public SingleSequence(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Buffer = new float[capacity];
    }

    /// <summary>The backing buffer; elements past <see cref="Count"/> are stale.</summary>
    public float[] Buffer { get; }

    /// <summary>Maximum element count; a longer sequence decodes as <see cref="CdrStatus.LengthLimit"/>.</summary>
    public int Capacity => Buffer.Length;

    /// <summary>Number of valid elements.</summary>
    public int Count { get; set; }

    /// <summary>The valid elements.</summary>
    public Span<float> Span => Buffer.AsSpan(0, Count);

    /// <summary>Copies <paramref name="values"/> in; false (unchanged) when they exceed the capacity.</summary>
    public bool Set(ReadOnlySpan<float> values)
    {
        if (values.Length > Capacity)
        {
            return false;
        }

        values.CopyTo(Buffer);
        Count = values.Length;
        return true;
    }
}

/// <summary>Preallocated UTF-8 storage for a CDR string (without the NUL), bounded by a capacity in bytes.</summary>
internal sealed class RosString
{
    /// <summary>Default capacity in UTF-8 bytes. The default value is 256.</summary>
    public const int DefaultCapacity = 256;

    private readonly byte[] _bytes;

    /// <summary>Creates storage for up to <paramref name="capacity"/> UTF-8 bytes.</summary>
    public RosString(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _bytes = new byte[capacity];
    }

    /// <summary>Maximum length in UTF-8 bytes.</summary>
    public int Capacity => _bytes.Length;

    /// <summary>Length in UTF-8 bytes.</summary>
    public int Length { get; private set; }

    /// <summary>The UTF-8 bytes (no NUL).</summary>
    public ReadOnlySpan<byte> Utf8 => _bytes.AsSpan(0, Length);

    /// <summary>Copies UTF-8 bytes in; false (unchanged) when they exceed the capacity.</summary>
    public bool SetUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > Capacity)
        {
            return false;
        }

        utf8.CopyTo(_bytes);
        Length = utf8.Length;
        return true;
    }

    /// <summary>Encodes <paramref name="value"/> as UTF-8 without allocating; false (unchanged) when it does not fit.</summary>
    public bool Set(string value)
    {
        if (!Encoding.UTF8.TryGetBytes(value, _bytes, out int written))
        {
            return false;
        }

        Length = written;
        return true;
    }

    /// <summary>Decodes the text (allocates; for logs and tests, not the hot path).</summary>
    public override string ToString() => Encoding.UTF8.GetString(Utf8);
}
