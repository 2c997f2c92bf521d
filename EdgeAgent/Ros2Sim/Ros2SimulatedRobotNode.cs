// Design:
// The physics-simulated robot (SimulatedRobot on CLOCK_MONOTONIC) as a ROS 2 robot on the wire, so the whole
// ROS 2 path runs on one machine: one LoopThread (the same loop thread as the agent's motor loop: absolute
// deadlines, its overrun rule and statistics) owns the robot (it is single-threaded) and every DDS entity it
// touches per tick. Each tick: take every waiting command (Float64MultiArray, one effort per joint in
// robot.joints order; any other length is rejected and counted) and hand the newest accepted one to
// SimulatedRobot.Write (the robot holds it: zero-order hold), then Read and publish JointState and Imu;
// BatteryState every rate/10 periods (10 Hz). After an overrun the missed periods are skipped, never burst.
//
// QoS: JointState and Imu are published like ros2_control's joint_state_broadcaster, with SystemDefaultsQoS as
// Cyclone resolves it (RELIABLE, KEEP_LAST 1, VOLATILE): a BEST_EFFORT (sensor_data) or RELIABLE subscriber
// matches, and KEEP_LAST 1 never blocks the writer on a slow reader. BatteryState uses the same. The command
// reader is RELIABLE, KEEP_LAST 10 (ROS default), which matches the RELIABLE publishers controllers expect.
//
// Stamps: header.stamp is the wall clock (CLOCK_REALTIME) at publication, frame_id "base_link".
// IMU: orientation is the pitch θ about y as a quaternion (0, sin θ/2, 0, cos θ/2); angular_velocity.y is the
// tilt rate, .z the yaw rate; covariances 0, linear acceleration 0.
using EdgeAgent.Configuration;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Hal.Sim;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Ros2Sim;

/// <summary>
/// Runs a <see cref="SimulatedRobot"/> as a ROS 2 robot over Cyclone DDS: publishes joint states, IMU and battery,
/// obeys effort commands. Create, <see cref="Start"/>, then <see cref="Dispose"/> (stops the thread first).
/// </summary>
internal sealed class Ros2SimulatedRobotNode : IDisposable
{
    /// <summary>The header frame id of every published message.</summary>
    public const string FrameId = "base_link";

    private const int BufferSize = 8192;
    private const double BatteryRateHz = 10.0;

    private readonly SimulatedRobot _robot;
    private readonly int _jointCount;
    private readonly long _periodNs;
    private readonly int _batteryDivider;
    private readonly DdsTopicDescriptor _jointStateType;
    private readonly DdsTopicDescriptor _imuType;
    private readonly DdsTopicDescriptor _batteryType;
    private readonly DdsTopicDescriptor _commandType;
    private readonly DdsParticipant _participant;
    private readonly DdsRawWriter _jointStateWriter;
    private readonly DdsRawWriter _imuWriter;
    private readonly DdsRawWriter _batteryWriter;
    private readonly DdsRawReader _commandReader;
    private readonly JointStateMessage _jointState;
    private readonly ImuMessage _imu = new();
    private readonly BatteryStateMessage _battery = new(cellCapacity: 0);
    private readonly Float64MultiArrayMessage _command;
    private readonly RobotState _state;
    private readonly JointCommands _commands;
    private readonly byte[] _buffer = new byte[BufferSize];
    private LoopThread? _loop;
    private long _published;
    private long _accepted;
    private long _rejected;
    private double _tilt;
    private volatile bool _fallen;
    private bool _disposed;
    private readonly LoopSettings _realtime;

    /// <summary>Initializes a new instance of the <see cref="Ros2SimulatedRobotNode"/> class: builds and starts the
    /// simulated robot from <c>hal.sim</c> and <c>robot.joints</c>, and creates the DDS entities.</summary>
    /// <param name="options">The validated configuration (<c>hal.ros2</c> topics, <c>hal.sim</c>, joints).</param>
    /// <param name="domainId">The DDS domain (see <see cref="Ros2HalOptions.ResolveDomainId(int, string?)"/>).</param>
    /// <param name="rateHz">The joint state and IMU publication rate (1..10000 Hz).</param>
    /// <exception cref="DdsException">A DDS entity could not be created.</exception>
    public Ros2SimulatedRobotNode(AgentOptions options, uint domainId, double rateHz)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(rateHz) || rateHz < 1 || rateHz > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(rateHz), rateHz, "The rate must be 1..10000 Hz.");
        }

        RateHz = rateHz;
        _periodNs = (long)Math.Round(1e9 / rateHz);

        // A robot's driver publishes from a real-time thread: the same SCHED_FIFO priority and memory locking as
        // the agent's motor loop (best effort: without the privilege it runs at the normal scheduler and says so).
        _realtime = new LoopSettings("ros2-sim", TimeSpan.FromTicks(_periodNs / 100), options.Timing.MotorPriority, -1, options.Timing.LockMemory, TimeSpan.Zero, options.Timing.TimerSlack);
        _batteryDivider = Math.Max(1, (int)Math.Round(rateHz / BatteryRateHz));
        _robot = new SimulatedRobot(HalFactory.SimOptionsFrom(options), MonotonicClock.Instance);
        _robot.Start(CancellationToken.None);
        _jointCount = _robot.JointNames.Count;
        _state = new RobotState(_jointCount);
        _commands = new JointCommands(_jointCount);
        _jointState = new JointStateMessage(_robot.JointNames, _jointCount);
        int[] indices = Enumerable.Range(0, _jointCount).ToArray();
        _jointState.SetJointIndices(indices);
        _jointState.Header.FrameId.Set(FrameId);
        _imu.Header.FrameId.Set(FrameId);
        _battery.Header.FrameId.Set(FrameId);
        _command = new Float64MultiArrayMessage(dataCapacity: Math.Max(_jointCount * 4, 64));

        Ros2Options ros2 = options.Hal.Ros2;
        DomainId = domainId;
        _jointStateType = new DdsTopicDescriptor(Ros2TypeDescriptors.JointState);
        _imuType = new DdsTopicDescriptor(Ros2TypeDescriptors.Imu);
        _batteryType = new DdsTopicDescriptor(Ros2TypeDescriptors.BatteryState);
        _commandType = new DdsTopicDescriptor(Ros2TypeDescriptors.Float64MultiArray);
        _participant = DdsParticipant.Create(domainId);
        ReceivePriorityWarning = EdgeAgent.Hal.Ros2.ReceivePathPriority.Apply(options.Timing.MotorPriority, self: false, "ros2-sim");
        try
        {
            _jointStateWriter = DdsRawWriter.Create(_participant.CreateTopic(_jointStateType, Ros2Names.ToDdsTopic(ros2.JointStatesTopic)), Ros2Qos.SystemDefault);
            _imuWriter = DdsRawWriter.Create(_participant.CreateTopic(_imuType, Ros2Names.ToDdsTopic(ros2.ImuTopic)), Ros2Qos.SystemDefault);
            _batteryWriter = DdsRawWriter.Create(_participant.CreateTopic(_batteryType, Ros2Names.ToDdsTopic(ros2.BatteryTopic)), Ros2Qos.SystemDefault);
            _commandReader = DdsRawReader.Create(_participant.CreateTopic(_commandType, Ros2Names.ToDdsTopic(ros2.CommandTopic)), Ros2Qos.Default);
        }
        catch
        {
            DisposeDds();
            throw;
        }
    }

    /// <summary>Gets the DDS domain.</summary>
    public uint DomainId { get; }

    /// <summary>Gets the nominal joint state and IMU rate (Hz).</summary>
    public double RateHz { get; }

    /// <summary>Gets the joint names, in robot.joints order (the order of JointState.name and of command data).</summary>
    public IReadOnlyList<string> JointNames => _robot.JointNames;

    /// <summary>Gets the number of JointState messages published.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Gets the number of commands applied to the robot.</summary>
    public long CommandsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Gets the number of commands rejected (wrong length or undecodable).</summary>
    public long CommandsRejected => Interlocked.Read(ref _rejected);

    /// <summary>Gets the number of ticks that started more than one period late.</summary>
    public long Overruns => _loop?.Statistics.Overruns ?? 0;

    /// <summary>Gets the true tilt (rad) at the last tick.</summary>
    public double TiltRad => Volatile.Read(ref _tilt);

    /// <summary>Gets a value indicating whether the robot had fallen at the last tick.</summary>
    public bool HasFallen => _fallen;

    /// <summary>Starts the publishing thread.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The node is already running.");
        }

        // The agent's own loop thread: absolute deadlines, the same overrun rule (skip the missed periods, no
        // burst to catch up) and the same statistics as the motor loop.
        _loop = new LoopThread(_realtime, new Body(this), NullLogger.Instance);
        _loop.Start();
    }

    /// <summary>Stops the thread (within one period) and deletes the DDS entities.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _loop?.Stop();
        _loop?.Dispose();
        DisposeDds();
        _robot.Dispose();
    }

    private void DisposeDds()
    {
        _participant.Dispose(); // deletes every topic, reader and writer under it
        _jointStateType.Dispose();
        _imuType.Dispose();
        _batteryType.Dispose();
        _commandType.Dispose();
    }

    /// <summary>Gets what SCHED_FIFO setting of Cyclone's receive threads (the command path) failed, or null.</summary>
    public string? ReceivePriorityWarning { get; }

    /// <summary>Gets what real-time settings the publishing thread is running with (once it runs).</summary>
    public RealtimeReport? Realtime => _loop?.Report;

    /// <summary>Gets the publishing loop's statistics (null before <see cref="Start"/>).</summary>
    public LoopStatistics? Statistics => _loop?.Statistics;

    private void Tick(long tick)
    {
        TakeCommands();
        if (_robot.Read(_state) != HalStatus.Ok)
        {
            return;
        }

        Volatile.Write(ref _tilt, _robot.TrueTiltRad);
        _fallen = _robot.HasFallen;
        long wallNs = LinuxNative.RealtimeNowNs();
        var stamp = new RosTime((int)(wallNs / 1_000_000_000L), (uint)(wallNs % 1_000_000_000L));
        PublishJointState(stamp);
        PublishImu(stamp);
        if (tick % _batteryDivider == 0)
        {
            PublishBattery(stamp);
        }
    }

    private sealed class Body(Ros2SimulatedRobotNode node) : ILoopBody
    {
        public void Tick(in LoopTick tick) => node.Tick(tick.Index);
    }

    private void TakeCommands()
    {
        bool fresh = false;
        for (int i = 0; i < 64; i++)
        {
            int n = _commandReader.TakeCdr(_buffer, out int length, out DdsSampleInfo info);
            if (n == 0)
            {
                break;
            }

            if (n < 0)
            {
                Interlocked.Increment(ref _rejected);
                continue;
            }

            if (!info.ValidData)
            {
                continue;
            }

            if (Float64MultiArrayMessage.Decode(_buffer.AsSpan(0, length), _command) != CdrStatus.Ok || _command.Data.Count != _jointCount)
            {
                Interlocked.Increment(ref _rejected);
                continue;
            }

            _command.Data.Span.CopyTo(_commands.Effort);
            fresh = true;
            Interlocked.Increment(ref _accepted);
        }

        if (fresh)
        {
            _ = _robot.Write(_commands);
        }
    }

    private void PublishJointState(RosTime stamp)
    {
        _jointState.Header.Stamp = stamp;
        _jointState.Position.Set(_state.Position);
        _jointState.Velocity.Set(_state.Velocity);
        _jointState.Effort.Set(_state.Effort);
        if (_jointState.Encode(_buffer, out int written) == CdrStatus.Ok && _jointStateWriter.WriteCdr(_buffer.AsSpan(0, written)) == DdsStatus.Ok)
        {
            Interlocked.Increment(ref _published);
        }
    }

    private void PublishImu(RosTime stamp)
    {
        ImuReading imu = _state.Imu;
        _imu.Header.Stamp = stamp;
        double half = imu.TiltRad / 2;
        _imu.Orientation[0] = 0;
        _imu.Orientation[1] = Math.Sin(half);
        _imu.Orientation[2] = 0;
        _imu.Orientation[3] = Math.Cos(half);
        _imu.AngularVelocity[0] = 0;
        _imu.AngularVelocity[1] = imu.TiltRateRadPerSec;
        _imu.AngularVelocity[2] = imu.YawRateRadPerSec;
        if (_imu.Encode(_buffer, out int written) == CdrStatus.Ok)
        {
            _ = _imuWriter.WriteCdr(_buffer.AsSpan(0, written));
        }
    }

    private void PublishBattery(RosTime stamp)
    {
        BatteryReading battery = _state.Battery;
        _battery.Header.Stamp = stamp;
        _battery.Percentage = (float)battery.Level;
        _battery.Voltage = (float)battery.VoltageV;
        _battery.Current = (float)-battery.CurrentA; // ROS: negative while discharging
        _battery.Temperature = float.NaN;
        _battery.Charge = float.NaN;
        _battery.Capacity = float.NaN;
        _battery.DesignCapacity = float.NaN;
        _battery.PowerSupplyStatus = 2; // POWER_SUPPLY_STATUS_DISCHARGING
        _battery.Present = true;
        if (_battery.Encode(_buffer, out int written) == CdrStatus.Ok)
        {
            _ = _batteryWriter.WriteCdr(_buffer.AsSpan(0, written));
        }
    }
}
