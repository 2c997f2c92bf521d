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
// - Decoding and validation: Ros2StateDecoder (testable from CDR bytes without DDS; its note has the rules).
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
    private readonly uint _pollMicroseconds;

    // Receive thread only.
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferBytes];

    private readonly LatestStateBuffer _latest;
    private readonly Ros2StateDecoder _decoder;

    // Motor loop thread only.
    private readonly byte[] _commandBuffer = new byte[CommandBufferBytes];
    private readonly Float64MultiArrayMessage _forwardCommand;
    private readonly JointTrajectoryMessage _trajectoryCommand;
    private long _lastReadSequence;

    private Ros2HalEntities? _entities;
    private DdsRawWriter? _writer;
    private Thread? _thread;
    private string? _cyclonePriorityWarning;
    private string? _rxPriorityWarning;
    private int _lifecycle;
    private bool _stopRequested;
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
        _stateQos = Ros2HalOptions.ParseQos(options.StateQos, Ros2HalOptions.Key(nameof(Ros2HalOptions.StateQos)));
        _commandQos = Ros2HalOptions.ParseQos(options.CommandQos, Ros2HalOptions.Key(nameof(Ros2HalOptions.CommandQos)));
        _pollMicroseconds = (uint)Math.Clamp(options.PollInterval.Ticks / 10, 50, 100_000);

        int n = _jointNames.Length;
        _latest = new LatestStateBuffer(n);
        _decoder = new Ros2StateDecoder(options, clock, _latest);
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
    public long AcceptedJointStates => _decoder.AcceptedJointStates;

    /// <summary>Gets the number of IMU messages accepted.</summary>
    public long AcceptedImu => _decoder.AcceptedImu;

    /// <summary>Gets the number of battery messages accepted.</summary>
    public long AcceptedBattery => _decoder.AcceptedBattery;

    /// <summary>Gets the number of command messages written.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Gets the number of commands that could not be encoded or written.</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Gets the number of unexpected errors the receive thread caught (should stay 0).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>Gets the total number of rejected state messages.</summary>
    public long RejectedTotal => _decoder.RejectedTotal;

    /// <summary>Gets the number of state messages rejected for <paramref name="cause"/>.</summary>
    /// <param name="cause">The cause.</param>
    /// <returns>The count.</returns>
    public long Rejected(Ros2RejectCause cause) => _decoder.Rejected(cause);

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
            _entities = Ros2HalEntities.Create(_options, DomainId, _stateQos, _commandQos);
            _writer = _entities.Writer;
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

        if (state is null || state.JointCount != _jointNames.Length)
        {
            return HalStatus.Fault; // the IRobotHal contract (RobotHalContractTests): a wrong-sized state is refused, not half filled
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
        if (Volatile.Read(ref _lifecycle) != Running || writer is null)
        {
            return HalStatus.NotConnected;
        }

        if (commands is null || commands.JointCount != _jointNames.Length)
        {
            // A command for another joint count would reach the controller as efforts for the wrong joints.
            Interlocked.Increment(ref _writeFailures);
            return HalStatus.Fault;
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

    private void DisposeEntities()
    {
        _writer = null;
        _entities?.Dispose();
        _entities = null;
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
                Ros2HalEntities entities = _entities!;
                taken = Drain(entities.JointReader, 0) + Drain(entities.ImuReader, 1) + Drain(entities.BatteryReader, 2);
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
                _decoder.Reject(Ros2RejectCause.Malformed);
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
                    _decoder.OnJointState(sample);
                    break;
                case 1:
                    _decoder.OnImu(sample);
                    break;
                default:
                    _decoder.OnBattery(sample);
                    break;
            }
        }

        return taken;
    }
}
