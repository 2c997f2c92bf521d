using System.Diagnostics;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Tests.Hal.Ros2.Driver;

/// <summary>
/// A started <see cref="Ros2RobotHal"/> on the private domain with topics of its own, plus the test's peer:
/// writers on the state topics and a reader on the command topic. The wall clock is fixed and settable.
/// </summary>
internal sealed class Ros2HalRig : IDisposable
{
    public const long WallStartNs = 1_750_000_000L * 1_000_000_000L;
    public static readonly string[] Joints = ["hip", "knee", "wheel"];
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly List<IDisposable> _owned = [];
    private long _wallNs = WallStartNs;

    public Ros2HalRig(Ros2HalCommandMode mode = Ros2HalCommandMode.ForwardCommand, int receivePriority = 0)
    {
        var prefix = "/ea_test_" + Guid.NewGuid().ToString("N")[..12];
        Options = new Ros2HalOptions
        {
            JointNames = Joints,
            DomainId = (int)Ros2DriverTestEnvironment.DomainId,
            JointStatesTopic = prefix + "/joint_states",
            ImuTopic = prefix + "/imu",
            BatteryTopic = prefix + "/battery",
            CommandTopic = prefix + "/commands",
            CommandMode = mode,
            StateQos = "reliable:50",
            CommandQos = "reliable:50",
            WallClockNs = () => Volatile.Read(ref _wallNs),
            ReceivePriority = receivePriority,
        };
        Hal = new Ros2RobotHal(Options, new FixedClock());
        Hal.Start(CancellationToken.None);

        Participant = Own(DdsParticipant.Create(Ros2DriverTestEnvironment.DomainId));
        JointStates = Writer(Ros2TypeDescriptors.JointState, Options.JointStatesTopic);
        Imu = Writer(Ros2TypeDescriptors.Imu, Options.ImuTopic);
        Battery = Writer(Ros2TypeDescriptors.BatteryState, Options.BatteryTopic);
        var commandType = mode == Ros2HalCommandMode.ForwardCommand ? Ros2TypeDescriptors.Float64MultiArray : Ros2TypeDescriptors.JointTrajectory;
        var commandDescriptor = Own(new DdsTopicDescriptor(commandType));
        var commandTopic = Own(Participant.CreateTopic(commandDescriptor, Ros2Names.ToDdsTopic(Options.CommandTopic)));
        Commands = Own(DdsRawReader.Create(commandTopic, Ros2Qos.Create(DdsReliability.Reliable, 50)));
        WaitFor(() => JointStates.GetMatched(out var s) == DdsStatus.Ok && s.CurrentCount > 0, "joint state reader match");
        WaitFor(() => Imu.GetMatched(out var s) == DdsStatus.Ok && s.CurrentCount > 0, "imu reader match");
        WaitFor(() => Battery.GetMatched(out var s) == DdsStatus.Ok && s.CurrentCount > 0, "battery reader match");
        WaitFor(() => Commands.GetMatched(out var s) == DdsStatus.Ok && s.CurrentCount > 0, "command writer match");
    }

    public Ros2HalOptions Options { get; }

    public Ros2RobotHal Hal { get; }

    public DdsParticipant Participant { get; }

    public DdsRawWriter JointStates { get; }

    public DdsRawWriter Imu { get; }

    public DdsRawWriter Battery { get; }

    public DdsRawReader Commands { get; }

    /// <summary>A header stamp <paramref name="offsetMs"/> from the rig's wall clock.</summary>
    public static (int Sec, uint Nanosec) Stamp(double offsetMs)
    {
        long ns = WallStartNs + (long)(offsetMs * 1e6);
        return ((int)(ns / 1_000_000_000L), (uint)(ns % 1_000_000_000L));
    }

    public static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Timeout)
            {
                Assert.Fail($"timed out after {Timeout} waiting for {what}");
            }

            Thread.Sleep(2);
        }
    }

    /// <summary>Publishes a joint state stamped <paramref name="offsetMs"/> from the wall clock.</summary>
    public void PublishJointState(string[] names, double[] position, double[] velocity, double[] effort, double offsetMs = -10)
    {
        var (sec, nanosec) = Stamp(offsetMs);
        Publish(JointStates, EdgeAgent.Tests.Hal.Ros2.Dds.CdrTestWriter.JointState(sec, nanosec, "base", names, position, velocity, effort));
    }

    public static void Publish(DdsRawWriter writer, byte[] cdr) =>
        Assert.That(writer.WriteCdr(cdr), Is.EqualTo(DdsStatus.Ok));

    /// <summary>Publishes and waits until the HAL accepted it (or counted a rejection).</summary>
    public void PublishAndAwait(Action publish)
    {
        long before = Hal.AcceptedJointStates + Hal.RejectedTotal;
        publish();
        WaitFor(() => Hal.AcceptedJointStates + Hal.RejectedTotal > before, "the HAL to process the joint state");
    }

    /// <summary>Takes one command sample within the timeout.</summary>
    public byte[] TakeCommand()
    {
        var buffer = new byte[64 * 1024];
        int length = 0;
        WaitFor(() => Commands.TakeCdr(buffer, out length, out var info) == 1 && info.ValidData, "a command sample");
        return buffer[..length];
    }

    public void Dispose()
    {
        Hal.Dispose();
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    private DdsRawWriter Writer(DdsTypeDefinition type, string rosTopic)
    {
        var descriptor = Own(new DdsTopicDescriptor(type));
        var topic = Own(Participant.CreateTopic(descriptor, Ros2Names.ToDdsTopic(rosTopic)));
        return Own(DdsRawWriter.Create(topic, Ros2Qos.Create(DdsReliability.Reliable, 50)));
    }

    private T Own<T>(T item)
        where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    private sealed class FixedClock : IMonotonicClock
    {
        public long NowNs => 5_000_000_000L;
    }
}
