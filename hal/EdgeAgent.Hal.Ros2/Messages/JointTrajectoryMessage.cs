using System.Buffers;

namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>
/// <c>trajectory_msgs/msg/JointTrajectoryPoint</c>: {float64[] positions, velocities, accelerations, effort,
/// builtin_interfaces/Duration time_from_start}.
/// </summary>
internal sealed class JointTrajectoryPoint
{
    public JointTrajectoryPoint(int jointCapacity)
    {
        Positions = new DoubleSequence(jointCapacity);
        Velocities = new DoubleSequence(jointCapacity);
        Accelerations = new DoubleSequence(jointCapacity);
        Effort = new DoubleSequence(jointCapacity);
    }

    public DoubleSequence Positions { get; }

    public DoubleSequence Velocities { get; }

    public DoubleSequence Accelerations { get; }

    public DoubleSequence Effort { get; }

    /// <summary>Duration {sec, nanosec} from the trajectory's start.</summary>
    public RosTime TimeFromStart { get; set; }

    internal void Read(ref CdrReader reader)
    {
        reader.ReadDoubles(Positions);
        reader.ReadDoubles(Velocities);
        reader.ReadDoubles(Accelerations);
        reader.ReadDoubles(Effort);
        TimeFromStart = RosTime.Read(ref reader);
    }

    internal void Write(ref CdrWriter writer)
    {
        writer.WriteDoubles(Positions.Span);
        writer.WriteDoubles(Velocities.Span);
        writer.WriteDoubles(Accelerations.Span);
        writer.WriteDoubles(Effort.Span);
        TimeFromStart.Write(ref writer);
    }
}

/// <summary>
/// <c>trajectory_msgs/msg/JointTrajectory</c>: {Header header, string[] joint_names, JointTrajectoryPoint[] points}.
/// What ros2_control's joint_trajectory_controller takes on <c>~/joint_trajectory</c>; the HAL sends one point.
/// </summary>
internal sealed class JointTrajectoryMessage : ICdrMessage
{
    /// <summary>Default maximum number of joints. The default value is 64.</summary>
    public const int DefaultJointCapacity = 64;

    /// <summary>Default maximum number of points. The default value is 8.</summary>
    public const int DefaultPointCapacity = 8;

    private const int MinStringSize = 5;
    private const int MinPointSize = 24; // four empty sequences + Duration

    private readonly RosString[] _jointNames;
    private readonly JointTrajectoryPoint[] _points;

    public JointTrajectoryMessage(int jointCapacity = DefaultJointCapacity, int pointCapacity = DefaultPointCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(jointCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(pointCapacity);
        _jointNames = new RosString[jointCapacity];
        for (int i = 0; i < _jointNames.Length; i++)
        {
            _jointNames[i] = new RosString();
        }

        _points = new JointTrajectoryPoint[pointCapacity];
        for (int i = 0; i < _points.Length; i++)
        {
            _points[i] = new JointTrajectoryPoint(jointCapacity);
        }
    }

    public HeaderMessage Header { get; } = new();

    /// <summary>Number of valid entries in <see cref="JointNames"/>.</summary>
    public int JointNameCount
    {
        get;
        set => field = value >= 0 && value <= _jointNames.Length ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <summary>Preallocated joint names; the first <see cref="JointNameCount"/> are valid.</summary>
    public IReadOnlyList<RosString> JointNames => _jointNames;

    /// <summary>Number of valid entries in <see cref="Points"/>.</summary>
    public int PointCount
    {
        get;
        set => field = value >= 0 && value <= _points.Length ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <summary>Preallocated points; the first <see cref="PointCount"/> are valid.</summary>
    public IReadOnlyList<JointTrajectoryPoint> Points => _points;

    /// <summary>Decodes a sample; <paramref name="into"/> is valid only when the result is Ok.</summary>
    public static CdrStatus Decode(ReadOnlySpan<byte> sample, JointTrajectoryMessage into) => CdrMessage.Decode(sample, into);

    public CdrStatus Encode(IBufferWriter<byte> output) => CdrMessage.Encode(this, output);

    public CdrStatus Encode(Span<byte> destination, out int written) => CdrMessage.Encode(this, destination, out written);

    void ICdrMessage.Read(ref CdrReader reader)
    {
        Header.Read(ref reader);
        int names = reader.ReadCount(MinStringSize, _jointNames.Length);
        for (int i = 0; i < names && reader.IsOk; i++)
        {
            reader.ReadString(_jointNames[i]);
        }

        JointNameCount = reader.IsOk ? names : 0;
        int points = reader.ReadCount(MinPointSize, _points.Length);
        for (int i = 0; i < points && reader.IsOk; i++)
        {
            _points[i].Read(ref reader);
        }

        PointCount = reader.IsOk ? points : 0;
    }

    void ICdrMessage.Write(ref CdrWriter writer)
    {
        Header.Write(ref writer);
        writer.WriteCount(JointNameCount);
        for (int i = 0; i < JointNameCount; i++)
        {
            writer.WriteString(_jointNames[i].Utf8);
        }

        writer.WriteCount(PointCount);
        for (int i = 0; i < PointCount; i++)
        {
            _points[i].Write(ref writer);
        }
    }
}
