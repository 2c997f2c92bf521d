using System.Buffers;
using System.Text;

namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>
/// <c>sensor_msgs/msg/JointState</c> {Header header, string[] name, float64[] position, velocity, effort} with
/// preallocated storage. Incoming names are not stored as strings: each is matched (UTF-8 bytes) against the
/// configured joint names and only the configured index is kept, so steady-state decode allocates nothing.
/// </summary>
internal sealed class JointStateMessage : ICdrMessage
{
    /// <summary>Default maximum number of joints per message. The default value is 64.</summary>
    public const int DefaultCapacity = 64;

    /// <summary>Longest accepted joint name in UTF-8 bytes. The default value is 256.</summary>
    public const int MaxNameBytes = 256;

    private const int MinStringSize = 5; // uint32 length + NUL

    private readonly byte[][] _configured;
    private readonly int[] _jointIndex;

    /// <summary>Creates a message for the configured <paramref name="jointNames"/> (the HAL's joint order).</summary>
    public JointStateMessage(IReadOnlyList<string> jointNames, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(jointNames);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        JointNames = jointNames;
        _configured = new byte[jointNames.Count][];
        for (int i = 0; i < _configured.Length; i++)
        {
            _configured[i] = Encoding.UTF8.GetBytes(jointNames[i]);
        }

        _jointIndex = new int[capacity];
        Position = new DoubleSequence(capacity);
        Velocity = new DoubleSequence(capacity);
        Effort = new DoubleSequence(capacity);
    }

    /// <summary>The configured joint names; <see cref="JointIndices"/> refers to them.</summary>
    public IReadOnlyList<string> JointNames { get; }

    /// <summary>Maximum number of names and of values per array.</summary>
    public int Capacity => _jointIndex.Length;

    public HeaderMessage Header { get; } = new();

    /// <summary>Number of names in the message.</summary>
    public int NameCount { get; private set; }

    /// <summary>Number of names that matched no configured joint.</summary>
    public int UnmatchedCount { get; private set; }

    /// <summary>Per name in the message: the index of the configured joint it names, or -1.</summary>
    public ReadOnlySpan<int> JointIndices => _jointIndex.AsSpan(0, NameCount);

    public DoubleSequence Position { get; }

    public DoubleSequence Velocity { get; }

    public DoubleSequence Effort { get; }

    /// <summary>Decodes a sample; <paramref name="into"/> is valid only when the result is Ok.</summary>
    public static CdrStatus Decode(ReadOnlySpan<byte> sample, JointStateMessage into) => CdrMessage.Decode(sample, into);

    /// <summary>Sets the names to send as configured joint indices; false when too many or out of range.</summary>
    public bool SetJointIndices(ReadOnlySpan<int> indices)
    {
        if (indices.Length > Capacity)
        {
            return false;
        }

        foreach (int index in indices)
        {
            if ((uint)index >= (uint)_configured.Length)
            {
                return false;
            }
        }

        indices.CopyTo(_jointIndex);
        NameCount = indices.Length;
        UnmatchedCount = 0;
        return true;
    }

    public CdrStatus Encode(IBufferWriter<byte> output) => CdrMessage.Encode(this, output);

    public CdrStatus Encode(Span<byte> destination, out int written) => CdrMessage.Encode(this, destination, out written);

    void ICdrMessage.Read(ref CdrReader reader)
    {
        Header.Read(ref reader);
        int count = reader.ReadCount(MinStringSize, Capacity);
        int unmatched = 0;
        for (int i = 0; i < count; i++)
        {
            var name = reader.ReadString(MaxNameBytes);
            if (!reader.IsOk)
            {
                break;
            }

            int index = Match(name, i);
            _jointIndex[i] = index;
            unmatched += index < 0 ? 1 : 0;
        }

        NameCount = reader.IsOk ? count : 0;
        UnmatchedCount = unmatched;
        reader.ReadDoubles(Position);
        reader.ReadDoubles(Velocity);
        reader.ReadDoubles(Effort);
    }

    void ICdrMessage.Write(ref CdrWriter writer)
    {
        Header.Write(ref writer);
        writer.WriteCount(NameCount);
        foreach (int index in JointIndices)
        {
            if ((uint)index >= (uint)_configured.Length)
            {
                writer.Fail(CdrStatus.UnknownName);
                return;
            }

            writer.WriteString(_configured[index]);
        }

        writer.WriteDoubles(Position.Span);
        writer.WriteDoubles(Velocity.Span);
        writer.WriteDoubles(Effort.Span);
    }

    // Fast path: publishers almost always send the joints in the configured order, so try slot `hint` first.
    private int Match(ReadOnlySpan<byte> name, int hint)
    {
        if ((uint)hint < (uint)_configured.Length && name.SequenceEqual(_configured[hint]))
        {
            return hint;
        }

        return MatchSlow(name);
    }

    private int MatchSlow(ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < _configured.Length; i++)
        {
            if (name.SequenceEqual(_configured[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
