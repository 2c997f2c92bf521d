using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Hal.Ros2;

// Design:
// - Threads: Start (caller's thread) loads libddsc, creates the participant, three state readers, the command
//   writer and ONE dedicated receive thread (not the pool). The receive thread is the only user of the readers,
//   the receive buffer, the decode messages and the working state `_work`; the motor loop thread is the only
//   caller of Read and Write and the only user of the command buffer/messages and the writer. Dispose stops the
//   receive thread (bounded join) before deleting the DDS entities.
// - Receive loop: takes raw CDR (dds_takecdr → preallocated 64 KiB buffer) from each reader, at most 64 samples
//   per reader per pass, decodes into preallocated messages, validates, and sleeps PollInterval (~0.2 ms,
//   usleep) only when no reader had data. Everything is caught: a bad sample is counted, never thrown.
// - Validation (joint states, first failing rule is counted): Malformed (codec ≠ Ok or > buffer) → LengthMismatch
//   (position ≠ names; velocity/effort ≠ names unless empty = not measured, then 0) → UnknownJoint → MissingJoint
//   (a configured joint absent or named twice) → NonFinite (position/velocity/effort used) → FromPast / FromFuture
//   (header stamp vs the injectable wall clock). IMU: Malformed, NonFinite, zero quaternion (Malformed), stamp.
//   Battery: Malformed only (stamps are often unset); NaN percentage/voltage/current keep the last value.
// - Hand-over: `_work` is copied into the back slot of a triple buffer (LatestStateBuffer) and published with one
//   Interlocked.Exchange; Read acquires the newest slot wait-free and copies it. RobotState.Sequence increments per
//   accepted joint state only (IMU/battery updates ride along without advancing it), so Read returns NoNewData
//   when the sequence did not advance and the safety supervisor's stale detection works.
// - StampNs is the monotonic time of the measurement: clock.NowNs minus the message age (wall clock − stamp).
// - Write encodes into a preallocated buffer and calls dds_writecdr: no allocation, lock or exception.

/// <summary>
/// The ROS 2 HAL (<c>hal.driver: ros2</c>): sensor_msgs/JointState, Imu and BatteryState in; std_msgs/Float64MultiArray
/// (forward_command_controller) or trajectory_msgs/JointTrajectory out, over Cyclone DDS without rcl.
/// </summary>
public sealed class Ros2RobotHal : IRobotHal, IHalDiagnostics
{
    private const int ReceiveBufferBytes = 64 * 1024;
    private const int CommandBufferBytes = 64 * 1024;
    private const int MaxTakesPerPass = 64;
    private const int Created = 0;
    private const int Running = 1;
    private const int Disposed = 2;

    private readonly Ros2HalOptions _options;
    private readonly IMonotonicClock _clock;
    private readonly string[] _jointNames;
    private readonly Ros2Qos _stateQos;
    private readonly Ros2Qos _commandQos;
    private readonly Func<long> _wallClockNs;
    private readonly long _maxAgeNs;
    private readonly long _maxSkewNs;
    private readonly uint _pollMicroseconds;

    // Receive thread only.
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferBytes];
    private readonly JointStateMessage _jointState;
    private readonly ImuMessage _imu = new();
    private readonly BatteryStateMessage _battery = new();
    private readonly RobotState _work;
    private readonly int[] _seen;
    private int _seenGeneration;

    private readonly LatestStateBuffer _latest;
    private readonly long[] _rejected = new long[Enum.GetValues<Ros2RejectCause>().Length];

    // Motor loop thread only.
    private readonly byte[] _commandBuffer = new byte[CommandBufferBytes];
    private readonly Float64MultiArrayMessage _forwardCommand;
    private readonly JointTrajectoryMessage _trajectoryCommand;
    private long _lastReadSequence;

    private DdsTopicDescriptor?[] _descriptors = [];
    private DdsParticipant? _participant;
    private DdsTopic?[] _topics = [];
    private DdsRawReader? _jointReader;
    private DdsRawReader? _imuReader;
    private DdsRawReader? _batteryReader;
    private DdsRawWriter? _writer;
    private Thread? _thread;
    private string? _cyclonePriorityWarning;
    private string? _rxPriorityWarning;
    private int _lifecycle;
    private bool _stopRequested;
    private long _sequence;
    private long _acceptedJointStates;
    private long _acceptedImu;
    private long _acceptedBattery;
    private long _written;
    private long _writeFailures;
    private long _receiveErrors;

    /// <summary>Initializes a new instance of the <see cref="Ros2RobotHal"/> class; validates the options.</summary>
    /// <param name="options">The driver options.</param>
    /// <param name="clock">The monotonic clock the loops run on (for <see cref="RobotState.StampNs"/>).</param>
    public Ros2RobotHal(Ros2HalOptions options, IMonotonicClock clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        options.Validate();
        _options = options;
        _clock = clock;
        _jointNames = [.. options.JointNames];
        _stateQos = Ros2HalOptions.ParseQos(options.StateQos, "hal.ros2.state_qos");
        _commandQos = Ros2HalOptions.ParseQos(options.CommandQos, "hal.ros2.command_qos");
        _wallClockNs = options.WallClockNs;
        _maxAgeNs = options.MaxMessageAge.Ticks * 100;
        _maxSkewNs = options.MaxFutureSkew.Ticks * 100;
        _pollMicroseconds = (uint)Math.Clamp(options.PollInterval.Ticks / 10, 50, 100_000);

        int n = _jointNames.Length;
        _jointState = new JointStateMessage(_jointNames);
        _work = new RobotState(n)
        {
            // Not measured until a BatteryState arrives (a robot may have no battery topic at all): NaN, which
            // the safety supervisor's thresholds never trip on. A 0 here would read as an empty battery.
            Battery = new BatteryReading(double.NaN, double.NaN, double.NaN),
        };
        _seen = new int[n];
        _latest = new LatestStateBuffer(n);
        _forwardCommand = new Float64MultiArrayMessage(dimensionCapacity: 0, dataCapacity: n);
        _trajectoryCommand = new JointTrajectoryMessage(jointCapacity: n, pointCapacity: 1);
        for (int i = 0; i < n; i++)
        {
            if (!_trajectoryCommand.JointNames[i].Set(_jointNames[i]))
            {
                throw new ArgumentException($"robot.joints name '{_jointNames[i]}' is too long for a ROS 2 string (max {RosString.DefaultCapacity} bytes).", nameof(options));
            }
        }

        _trajectoryCommand.JointNameCount = n;
        _trajectoryCommand.PointCount = 1;
        _trajectoryCommand.Points[0].TimeFromStart = default;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> JointNames => _jointNames;

    /// <summary>Gets the DDS domain joined by <see cref="Start"/> (valid after Start).</summary>
    public uint DomainId { get; private set; }

    /// <summary>Gets the number of joint states accepted (equals the latest <see cref="RobotState.Sequence"/>).</summary>
    public long AcceptedJointStates => Interlocked.Read(ref _acceptedJointStates);

    /// <summary>Gets the number of IMU messages accepted.</summary>
    public long AcceptedImu => Interlocked.Read(ref _acceptedImu);

    /// <summary>Gets the number of battery messages accepted.</summary>
    public long AcceptedBattery => Interlocked.Read(ref _acceptedBattery);

    /// <summary>Gets the number of command messages written.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Gets the number of commands that could not be encoded or written.</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Gets the number of unexpected errors the receive thread caught (should stay 0).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

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

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, long>> Counters()
    {
        var counters = new List<KeyValuePair<string, long>>
        {
            new("accepted_joint_states", AcceptedJointStates),
            new("accepted_imu", AcceptedImu),
            new("accepted_battery", AcceptedBattery),
            new("commands_written", Written),
            new("write_failures", WriteFailures),
            new("receive_errors", ReceiveErrors),
        };
        foreach (Ros2RejectCause cause in Enum.GetValues<Ros2RejectCause>())
        {
            counters.Add(new("rejected_" + System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(cause.ToString()), Rejected(cause)));
        }

        return counters;
    }

    /// <inheritdoc />
    public void Start(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _lifecycle, Running, Created) != Created)
        {
            throw new InvalidOperationException("The ROS 2 HAL was already started or disposed.");
        }

        try
        {
            if (!DdsLibrary.TryLoad(out var error))
            {
                throw new InvalidOperationException(BuildLoadError(error));
            }

            DomainId = _options.ResolveDomainId(Environment.GetEnvironmentVariable("ROS_DOMAIN_ID"));
            CreateEntities();
        }
        catch
        {
            DisposeEntities();
            Volatile.Write(ref _lifecycle, Disposed);
            throw;
        }

        Volatile.Write(ref _cyclonePriorityWarning, ReceivePathPriority.Apply(_options.ReceivePriority, self: false, "ros2-hal-rx"));
        _thread = new Thread(ReceiveLoop)
        {
            IsBackground = true,
            Name = "ros2-hal-rx",
            Priority = ThreadPriority.AboveNormal,
        };
        _thread.Start();
    }

    /// <inheritdoc />
    public HalStatus Read(RobotState state)
    {
        if (Volatile.Read(ref _lifecycle) != Running)
        {
            return HalStatus.NotConnected;
        }

        var latest = _latest.Acquire();
        if (latest.Sequence == 0)
        {
            return HalStatus.NoNewData;
        }

        latest.CopyTo(state);
        if (latest.Sequence == _lastReadSequence)
        {
            return HalStatus.NoNewData;
        }

        _lastReadSequence = latest.Sequence;
        return HalStatus.Ok;
    }

    /// <inheritdoc />
    public HalStatus Write(JointCommands commands)
    {
        var writer = _writer;
        if (Volatile.Read(ref _lifecycle) != Running || writer is null || commands is null)
        {
            return HalStatus.NotConnected;
        }

        CdrStatus status;
        int length;
        if (_options.CommandMode == Ros2HalCommandMode.ForwardCommand)
        {
            status = _forwardCommand.Data.Set(commands.Effort)
                ? _forwardCommand.Encode(_commandBuffer, out length)
                : Fail(out length);
        }
        else
        {
            var point = _trajectoryCommand.Points[0];
            status = point.Positions.Set(commands.Position) && point.Velocities.Set(commands.Velocity) && point.Effort.Set(commands.Effort)
                ? _trajectoryCommand.Encode(_commandBuffer, out length)
                : Fail(out length);
        }

        if (status != CdrStatus.Ok)
        {
            Interlocked.Increment(ref _writeFailures);
            return HalStatus.Fault;
        }

        var dds = writer.WriteCdr(_commandBuffer.AsSpan(0, length));
        if (dds != DdsStatus.Ok)
        {
            Interlocked.Increment(ref _writeFailures);
            return dds == DdsStatus.AlreadyDeleted ? HalStatus.NotConnected : HalStatus.Fault;
        }

        Interlocked.Increment(ref _written);
        return HalStatus.Ok;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _lifecycle, Disposed) == Disposed)
        {
            return;
        }

        Volatile.Write(ref _stopRequested, true);
        var joined = _thread is null || _thread.Join(TimeSpan.FromSeconds(2));
        if (joined)
        {
            DisposeEntities();
        }

        // Not joined (should not happen: a pass is bounded): leave the entities to their finalizers rather than
        // delete them under a running take.
    }

    /// <summary>The start-up error when libddsc cannot be loaded: what was tried and how to fix it.</summary>
    /// <param name="libraryError">DdsLibrary's message (paths tried and the fix), or null.</param>
    /// <returns>The message.</returns>
    internal static string BuildLoadError(string? libraryError) =>
        "hal.driver ros2: the ROS 2 HAL needs Cyclone DDS (libddsc), which could not be loaded." + Environment.NewLine +
        (libraryError ?? "No libddsc path was tried.") + Environment.NewLine +
        "Or choose another HAL with hal.driver: sim.";

    private static CdrStatus Fail(out int length)
    {
        length = 0;
        return CdrStatus.LengthLimit;
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

    private void CreateEntities()
    {
        var jointDescriptor = new DdsTopicDescriptor(Ros2TypeDescriptors.JointState);
        var imuDescriptor = new DdsTopicDescriptor(Ros2TypeDescriptors.Imu);
        var batteryDescriptor = new DdsTopicDescriptor(Ros2TypeDescriptors.BatteryState);
        var commandDescriptor = new DdsTopicDescriptor(_options.CommandMode == Ros2HalCommandMode.ForwardCommand
            ? Ros2TypeDescriptors.Float64MultiArray
            : Ros2TypeDescriptors.JointTrajectory);
        _descriptors = [jointDescriptor, imuDescriptor, batteryDescriptor, commandDescriptor];

        try
        {
            _participant = DdsParticipant.Create(DomainId);
            var jointTopic = _participant.CreateTopic(jointDescriptor, Ros2Names.ToDdsTopic(_options.JointStatesTopic));
            var imuTopic = _participant.CreateTopic(imuDescriptor, Ros2Names.ToDdsTopic(_options.ImuTopic));
            var batteryTopic = _participant.CreateTopic(batteryDescriptor, Ros2Names.ToDdsTopic(_options.BatteryTopic));
            var commandTopic = _participant.CreateTopic(commandDescriptor, Ros2Names.ToDdsTopic(_options.CommandTopic));
            _topics = [jointTopic, imuTopic, batteryTopic, commandTopic];
            _jointReader = DdsRawReader.Create(jointTopic, _stateQos);
            _imuReader = DdsRawReader.Create(imuTopic, _stateQos);
            _batteryReader = DdsRawReader.Create(batteryTopic, _stateQos);
            _writer = DdsRawWriter.Create(commandTopic, _commandQos);
        }
        catch (DdsException ex)
        {
            throw new InvalidOperationException(
                $"hal.driver ros2: could not create the DDS entities on domain {DomainId} " +
                $"(topics {_options.JointStatesTopic}, {_options.ImuTopic}, {_options.BatteryTopic}, {_options.CommandTopic}): {ex.Message}",
                ex);
        }
    }

    private void DisposeEntities()
    {
        var writer = _writer;
        _writer = null;
        writer?.Dispose();
        _jointReader?.Dispose();
        _imuReader?.Dispose();
        _batteryReader?.Dispose();
        foreach (var topic in _topics)
        {
            topic?.Dispose();
        }

        _participant?.Dispose();
        foreach (var descriptor in _descriptors)
        {
            descriptor?.Dispose();
        }

        _topics = [];
        _descriptors = [];
        _participant = null;
    }

    /// <summary>Gets what SCHED_FIFO setting of the receive path failed (null: applied, or not asked for).</summary>
    public string? ReceivePriorityWarning => Volatile.Read(ref _rxPriorityWarning) ?? Volatile.Read(ref _cyclonePriorityWarning);

    private void ReceiveLoop()
    {
        Volatile.Write(ref _rxPriorityWarning, ReceivePathPriority.Apply(_options.ReceivePriority, self: true, "ros2-hal-rx"));
        while (!Volatile.Read(ref _stopRequested))
        {
            int taken;
            try
            {
                taken = Drain(_jointReader!, 0) + Drain(_imuReader!, 1) + Drain(_batteryReader!, 2);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _receiveErrors);
                taken = 0;
            }

            if (taken == 0)
            {
                NativeSleep.Microseconds(_pollMicroseconds);
            }
        }
    }

    private int Drain(DdsRawReader reader, int kind)
    {
        int taken = 0;
        while (taken < MaxTakesPerPass && !Volatile.Read(ref _stopRequested))
        {
            int rc = reader.TakeCdr(_receiveBuffer, out int length, out DdsSampleInfo info);
            if (rc == 0)
            {
                break;
            }

            taken++;
            if (rc == (int)DdsStatus.BufferTooSmall)
            {
                Reject(Ros2RejectCause.Malformed);
                continue;
            }

            if (rc < 0)
            {
                Interlocked.Increment(ref _receiveErrors);
                break;
            }

            if (!info.ValidData)
            {
                continue; // dispose/unregister notification: no data
            }

            ReadOnlySpan<byte> sample = _receiveBuffer.AsSpan(0, length);
            switch (kind)
            {
                case 0:
                    OnJointState(sample);
                    break;
                case 1:
                    OnImu(sample);
                    break;
                default:
                    OnBattery(sample);
                    break;
            }
        }

        return taken;
    }

    private void Reject(Ros2RejectCause cause) => Interlocked.Increment(ref _rejected[(int)cause]);

    private void OnJointState(ReadOnlySpan<byte> sample)
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

        if (distinct != _jointNames.Length || count != _jointNames.Length)
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

    private void OnImu(ReadOnlySpan<byte> sample)
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

    private void OnBattery(ReadOnlySpan<byte> sample)
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
}
