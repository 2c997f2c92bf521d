using System.Buffers;

namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary><c>std_msgs/msg/MultiArrayDimension</c>: {string label, uint32 size, uint32 stride}.</summary>
internal sealed class MultiArrayDimension
{
    public RosString Label { get; } = new();

    public uint Size { get; set; }

    public uint Stride { get; set; }
}

/// <summary>
/// <c>std_msgs/msg/Float64MultiArray</c>: {MultiArrayLayout layout {MultiArrayDimension[] dim, uint32 data_offset},
/// float64[] data}. What ros2_control's forward_command_controller takes on <c>~/commands</c>.
/// </summary>
internal sealed class Float64MultiArrayMessage : ICdrMessage
{
    /// <summary>Default maximum number of layout dimensions. The default value is 4.</summary>
    public const int DefaultDimensionCapacity = 4;

    /// <summary>Default maximum number of data values. The default value is 64.</summary>
    public const int DefaultDataCapacity = 64;

    private const int MinDimensionSize = 13; // label (4 + NUL) + pad 3 + size + stride

    private readonly MultiArrayDimension[] _dimensions;

    public Float64MultiArrayMessage(int dimensionCapacity = DefaultDimensionCapacity, int dataCapacity = DefaultDataCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dimensionCapacity);
        _dimensions = new MultiArrayDimension[dimensionCapacity];
        for (int i = 0; i < _dimensions.Length; i++)
        {
            _dimensions[i] = new MultiArrayDimension();
        }

        Data = new DoubleSequence(dataCapacity);
    }

    /// <summary>Number of valid entries in <see cref="Dimensions"/>; at most its length.</summary>
    public int DimensionCount
    {
        get;
        set => field = value >= 0 && value <= _dimensions.Length ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <summary>Preallocated dimensions; the first <see cref="DimensionCount"/> are valid.</summary>
    public IReadOnlyList<MultiArrayDimension> Dimensions => _dimensions;

    public uint DataOffset { get; set; }

    public DoubleSequence Data { get; }

    /// <summary>Decodes a sample; <paramref name="into"/> is valid only when the result is Ok.</summary>
    public static CdrStatus Decode(ReadOnlySpan<byte> sample, Float64MultiArrayMessage into) => CdrMessage.Decode(sample, into);

    public CdrStatus Encode(IBufferWriter<byte> output) => CdrMessage.Encode(this, output);

    public CdrStatus Encode(Span<byte> destination, out int written) => CdrMessage.Encode(this, destination, out written);

    void ICdrMessage.Read(ref CdrReader reader)
    {
        int count = reader.ReadCount(MinDimensionSize, _dimensions.Length);
        for (int i = 0; i < count && reader.IsOk; i++)
        {
            var dimension = _dimensions[i];
            reader.ReadString(dimension.Label);
            dimension.Size = reader.ReadUInt32();
            dimension.Stride = reader.ReadUInt32();
        }

        DimensionCount = reader.IsOk ? count : 0;
        DataOffset = reader.ReadUInt32();
        reader.ReadDoubles(Data);
    }

    void ICdrMessage.Write(ref CdrWriter writer)
    {
        writer.WriteCount(DimensionCount);
        for (int i = 0; i < DimensionCount; i++)
        {
            var dimension = _dimensions[i];
            writer.WriteString(dimension.Label.Utf8);
            writer.WriteUInt32(dimension.Size);
            writer.WriteUInt32(dimension.Stride);
        }

        writer.WriteUInt32(DataOffset);
        writer.WriteDoubles(Data.Span);
    }
}
