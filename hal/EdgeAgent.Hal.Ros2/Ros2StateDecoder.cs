using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Hal.Ros2;

// Design: the receive side of Ros2RobotHal without DDS. One thread (the HAL's receive thread, or a test) calls
// OnJointState / OnImu / OnBattery with raw CDR; each sample is decoded into preallocated messages, validated,
// merged into the working state and published into the LatestStateBuffer the motor loop reads. Counters are
// read from any thread (Interlocked). No allocation per sample.
// - Validation (joint states, first failing rule is counted): Malformed (codec ≠ Ok or > buffer) → LengthMismatch
//   (position ≠ names; velocity/effort ≠ names unless empty = not measured, then 0) → UnknownJoint → MissingJoint
//   (a configured joint absent or named twice) → NonFinite (position/velocity/effort used) → FromPast / FromFuture
//   (header stamp vs the injectable wall clock). IMU: Malformed, NonFinite, zero quaternion (Malformed), stamp.
//   Battery: Malformed only (stamps are often unset); NaN percentage/voltage/current keep the last value.

/// <summary>Decodes and validates the ROS 2 state topics into the newest <see cref="RobotState"/>.</summary>
internal sealed class Ros2StateDecoder
{
    private readonly IMonotonicClock _clock;
    private readonly Func<long> _wallClockNs;
    private readonly long _maxAgeNs;
    private readonly long _maxSkewNs;
    private readonly int _jointCount;
    private readonly JointStateMessage _jointState;
    private readonly ImuMessage _imu = new();
    private readonly BatteryStateMessage _battery = new();
    private readonly RobotState _work;
    private readonly int[] _seen;
    private readonly LatestStateBuffer _latest;
    private readonly long[] _rejected = new long[Enum.GetValues<Ros2RejectCause>().Length];
    private int _seenGeneration;
    private long _sequence;
    private long _acceptedJointStates;
    private long _acceptedImu;
    private long _acceptedBattery;

    /// <summary>Initializes a new instance of the <see cref="Ros2StateDecoder"/> class.</summary>
    /// <param name="options">The validated driver options (joint names, stamp limits, wall clock).</param>
    /// <param name="clock">The monotonic clock of <see cref="RobotState.StampNs"/>.</param>
    /// <param name="latest">Where accepted states are published.</param>
    public Ros2StateDecoder(Ros2HalOptions options, IMonotonicClock clock, LatestStateBuffer latest)
    {
        _clock = clock;
        _latest = latest;
        _wallClockNs = options.WallClockNs;
        _maxAgeNs = options.MaxMessageAge.Ticks * 100;
        _maxSkewNs = options.MaxFutureSkew.Ticks * 100;
        string[] names = [.. options.JointNames];
        _jointCount = names.Length;
        _jointState = new JointStateMessage(names);
        _work = new RobotState(_jointCount)
        {
            // Not measured until a BatteryState arrives (a robot may have no battery topic at all): NaN, which
            // the safety supervisor's thresholds never trip on. A 0 here would read as an empty battery.
            Battery = new BatteryReading(double.NaN, double.NaN, double.NaN),
        };
        _seen = new int[_jointCount];
    }

    /// <summary>Gets the number of joint states accepted (equals the latest <see cref="RobotState.Sequence"/>).</summary>
    public long AcceptedJointStates => Interlocked.Read(ref _acceptedJointStates);

    /// <summary>Gets the number of IMU messages accepted.</summary>
    public long AcceptedImu => Interlocked.Read(ref _acceptedImu);

    /// <summary>Gets the number of battery messages accepted.</summary>
    public long AcceptedBattery => Interlocked.Read(ref _acceptedBattery);

    /// <summary>Gets the total number of rejected state messages.</summary>
    public long RejectedTotal
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _rejected.Length; i++)
            {
                sum += Interlocked.Read(ref _rejected[i]);
            }

            return sum;
        }
    }

    /// <summary>Gets the number of state messages rejected for <paramref name="cause"/>.</summary>
    /// <param name="cause">The cause.</param>
    /// <returns>The count.</returns>
    public long Rejected(Ros2RejectCause cause) => Interlocked.Read(ref _rejected[(int)cause]);

    /// <summary>Counts a sample refused before decoding (too large for the receive buffer).</summary>
    /// <param name="cause">The cause.</param>
    public void Reject(Ros2RejectCause cause) => Interlocked.Increment(ref _rejected[(int)cause]);

    /// <summary>Decodes and validates one sensor_msgs/JointState sample; accepted: published as the newest state.</summary>
    /// <param name="sample">The raw CDR sample (encapsulation header included).</param>
    public void OnJointState(ReadOnlySpan<byte> sample)
    {
        var m = _jointState;
        if (JointStateMessage.Decode(sample, m) != CdrStatus.Ok)
        {
            Reject(Ros2RejectCause.Malformed);
            return;
        }

        int count = m.NameCount;
        int velocities = m.Velocity.Count;
        int efforts = m.Effort.Count;
        if (m.Position.Count != count || (velocities != 0 && velocities != count) || (efforts != 0 && efforts != count))
        {
            Reject(Ros2RejectCause.LengthMismatch);
            return;
        }

        if (m.UnmatchedCount > 0)
        {
            Reject(Ros2RejectCause.UnknownJoint);
            return;
        }

        var indices = m.JointIndices;
        int generation = ++_seenGeneration;
        if (generation == int.MaxValue)
        {
            Array.Clear(_seen);
            _seenGeneration = generation = 1;
        }

        int distinct = 0;
        foreach (int j in indices)
        {
            if (_seen[j] != generation)
            {
                _seen[j] = generation;
                distinct++;
            }
        }

        if (distinct != _jointCount || count != _jointCount)
        {
            Reject(Ros2RejectCause.MissingJoint);
            return;
        }

        if (!AllFinite(m.Position.Span) || !AllFinite(m.Velocity.Span) || !AllFinite(m.Effort.Span))
        {
            Reject(Ros2RejectCause.NonFinite);
            return;
        }

        if (!CheckStamp(m.Header.Stamp, out long ageNs))
        {
            return;
        }

        var position = m.Position.Span;
        var velocity = m.Velocity.Span;
        var effort = m.Effort.Span;
        for (int i = 0; i < count; i++)
        {
            int j = indices[i];
            _work.Position[j] = position[i];
            _work.Velocity[j] = velocities == 0 ? 0.0 : velocity[i];
            _work.Effort[j] = efforts == 0 ? 0.0 : effort[i];
        }

        _work.StampNs = _clock.NowNs - Math.Max(0, ageNs);
        _work.Sequence = ++_sequence;
        PublishWork();
        Interlocked.Increment(ref _acceptedJointStates);
    }

    /// <summary>Decodes and validates one sensor_msgs/Imu sample; accepted: the tilt rides on the next published state.</summary>
    /// <param name="sample">The raw CDR sample.</param>
    public void OnImu(ReadOnlySpan<byte> sample)
    {
        var m = _imu;
        if (ImuMessage.Decode(sample, m) != CdrStatus.Ok)
        {
            Reject(Ros2RejectCause.Malformed);
            return;
        }

        if (!AllFinite(m.Orientation) || !AllFinite(m.AngularVelocity))
        {
            Reject(Ros2RejectCause.NonFinite);
            return;
        }

        double x = m.Orientation[0], y = m.Orientation[1], z = m.Orientation[2], w = m.Orientation[3];
        double norm2 = (x * x) + (y * y) + (z * z) + (w * w);
        if (norm2 < 1e-12)
        {
            Reject(Ros2RejectCause.Malformed); // orientation not provided
            return;
        }

        if (!CheckStamp(m.Header.Stamp, out _))
        {
            return;
        }

        _work.Imu = new ImuReading(PitchFromQuaternion(x, y, z, w), m.AngularVelocity[1], m.AngularVelocity[2], Valid: true);
        PublishWork();
        Interlocked.Increment(ref _acceptedImu);
    }

    /// <summary>Decodes one sensor_msgs/BatteryState sample (non-finite fields keep the last value).</summary>
    /// <param name="sample">The raw CDR sample.</param>
    public void OnBattery(ReadOnlySpan<byte> sample)
    {
        var m = _battery;
        if (BatteryStateMessage.Decode(sample, m) != CdrStatus.Ok)
        {
            Reject(Ros2RejectCause.Malformed);
            return;
        }

        var last = _work.Battery;
        double level = float.IsFinite(m.Percentage) ? Math.Clamp(m.Percentage, 0.0, 1.0) : last.Level;
        double voltage = float.IsFinite(m.Voltage) ? m.Voltage : last.VoltageV;
        double current = float.IsFinite(m.Current) ? -m.Current : last.CurrentA; // ROS: negative when discharging
        _work.Battery = new BatteryReading(level, voltage, current);
        PublishWork();
        Interlocked.Increment(ref _acceptedBattery);
    }

    /// <summary>Pitch (rotation about y) of a quaternion (x, y, z, w), normalised: asin(2(wy − zx)) clamped.</summary>
    internal static double PitchFromQuaternion(double x, double y, double z, double w)
    {
        double norm2 = (x * x) + (y * y) + (z * z) + (w * w);
        double sinPitch = 2.0 * ((w * y) - (z * x)) / norm2;
        return Math.Asin(Math.Clamp(sinPitch, -1.0, 1.0));
    }

    private bool CheckStamp(RosTime stamp, out long ageNs)
    {
        long stampNs = (stamp.Sec * 1_000_000_000L) + stamp.Nanosec;
        ageNs = _wallClockNs() - stampNs;
        if (ageNs > _maxAgeNs)
        {
            Reject(Ros2RejectCause.FromPast);
            return false;
        }

        if (-ageNs > _maxSkewNs)
        {
            Reject(Ros2RejectCause.FromFuture);
            return false;
        }

        return true;
    }

    private void PublishWork()
    {
        _work.CopyTo(_latest.Back);
        _latest.Publish();
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

}
