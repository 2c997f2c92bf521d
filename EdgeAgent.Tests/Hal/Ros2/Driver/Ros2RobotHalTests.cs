using EdgeAgent.Hal;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Tests.Hal.Ros2.Driver;

/// <summary>The ROS 2 HAL against real Cyclone DDS on this process's private, loopback-only domain.</summary>
[NonParallelizable]
public class Ros2RobotHalTests
{
    private static readonly string[] Configured = Ros2HalRig.Joints; // hip, knee, wheel

    [Test]
    public void Read_JointStatesInOtherNameOrder_ValuesInConfiguredOrder()
    {
        using var rig = new Ros2HalRig();
        var state = new RobotState(3);

        rig.PublishAndAwait(() => rig.PublishJointState(["wheel", "hip", "knee"], [3.0, 1.0, 2.0], [30, 10, 20], [-3, -1, -2]));

        Assert.That(rig.Hal.Read(state), Is.EqualTo(HalStatus.Ok));
        Assert.That(state.Position, Is.EqualTo(new[] { 1.0, 2.0, 3.0 }));
        Assert.That(state.Velocity, Is.EqualTo(new[] { 10.0, 20.0, 30.0 }));
        Assert.That(state.Effort, Is.EqualTo(new[] { -1.0, -2.0, -3.0 }));
        Assert.That(state.Sequence, Is.EqualTo(1));
        Assert.That(rig.Hal.AcceptedJointStates, Is.EqualTo(1));
    }

    [Test]
    public void Read_NoBatteryMessageYet_BatteryUnknownNotEmpty()
    {
        using var rig = new Ros2HalRig();
        var state = new RobotState(3);

        rig.PublishAndAwait(() => rig.PublishJointState(Configured, [1, 2, 3], [], []));

        // 0 would read as an empty battery and trip battery_critical at start-up; NaN is "not measured".
        Assert.That(rig.Hal.Read(state), Is.EqualTo(HalStatus.Ok));
        Assert.That(state.Battery.Level, Is.NaN);
    }

    [Test]
    public void Read_SecondMessage_SequenceAdvancesThenNoNewData()
    {
        using var rig = new Ros2HalRig();
        var state = new RobotState(3);
        rig.PublishAndAwait(() => rig.PublishJointState(Configured, [1, 2, 3], [], []));
        Assert.That(rig.Hal.Read(state), Is.EqualTo(HalStatus.Ok));

        Assert.That(rig.Hal.Read(state), Is.EqualTo(HalStatus.NoNewData));
        rig.PublishAndAwait(() => rig.PublishJointState(Configured, [4, 5, 6], [], []));

        Assert.That(rig.Hal.Read(state), Is.EqualTo(HalStatus.Ok));
        Assert.That(state.Sequence, Is.EqualTo(2));
        Assert.That(state.Position, Is.EqualTo(new[] { 4.0, 5.0, 6.0 }));
        Assert.That(state.Velocity, Is.EqualTo(new[] { 0.0, 0.0, 0.0 }), "empty velocity = not measured");
        Assert.That(rig.Hal.Read(state), Is.EqualTo(HalStatus.NoNewData));
        Assert.That(state.Sequence, Is.EqualTo(2));
    }

    // A busy machine starved the receive path at the normal scheduler (the motor loop saw stale data while the
    // robot published on time): it runs SCHED_FIFO, the HAL's thread and Cyclone's receive threads alike.
    [Test]
    public void Start_WithReceivePriority_HalAndCycloneReceiveThreadsRunSchedFifo()
    {
        Assume.That(Environment.UserName == "root" || File.ReadAllText("/proc/self/status").Contains("CapEff:\t000001ffffffffff", StringComparison.Ordinal), "SCHED_FIFO needs root or CAP_SYS_NICE");
        // Only this rig's threads: an earlier test's participant or HAL thread (still winding down, or a domain
        // Cyclone keeps) has the same names at the normal scheduler.
        var earlier = Directory.EnumerateDirectories("/proc/self/task").ToHashSet(StringComparer.Ordinal);
        using var rig = new Ros2HalRig(receivePriority: 1);
        rig.PublishAndAwait(() => rig.PublishJointState(["hip", "knee", "wheel"], [1.0, 2.0, 3.0], [], []));

        // The priority is applied as the threads start; on a loaded machine that can lag the first sample, so
        // the policies are read until they settle (bounded).
        Dictionary<string, int> policies = [];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            policies = [];
            foreach (string task in Directory.EnumerateDirectories("/proc/self/task").Where(t => !earlier.Contains(t)))
            {
                string comm;
                try
                {
                    comm = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                }
                catch (IOException)
                {
                    continue;   // the thread ended
                }

                if (comm is "ros2-hal-rx" or "recvUC" or "recv")
                {
                    int policy = ReceivePathPriority.PolicyOf(int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture));
                    policies[comm] = policies.TryGetValue(comm, out int seen) ? Math.Min(seen, policy) : policy;
                }
            }
        }
        while (policies.Values.Any(p => p != 1) && clock.Elapsed < TimeSpan.FromSeconds(5) && Sleep());

        Assert.Multiple(() =>
        {
            Assert.That(rig.Hal.ReceivePriorityWarning, Is.Null);
            Assert.That(policies.Keys, Is.SupersetOf(new[] { "ros2-hal-rx", "recvUC" }));
            Assert.That(policies.Values, Is.All.EqualTo(1), "SCHED_FIFO");
        });
    }

    private static bool Sleep()
    {
        Thread.Sleep(20);
        return true;
    }

    [Test]
    public void Read_BeforeStart_NotConnected()
    {
        using var hal = new Ros2RobotHal(new Ros2HalOptions { JointNames = Configured }, new ZeroClock());

        Assert.That(hal.Read(new RobotState(3)), Is.EqualTo(HalStatus.NotConnected));
        Assert.That(hal.Write(new JointCommands(3)), Is.EqualTo(HalStatus.NotConnected));
    }

    [TestCase("TooManyNames", Ros2RejectCause.Malformed)]
    [TestCase("ShortPosition", Ros2RejectCause.LengthMismatch)]
    [TestCase("ShortVelocity", Ros2RejectCause.LengthMismatch)]
    [TestCase("UnknownName", Ros2RejectCause.UnknownJoint)]
    [TestCase("TwoOfThree", Ros2RejectCause.MissingJoint)]
    [TestCase("DuplicateName", Ros2RejectCause.MissingJoint)]
    [TestCase("NaNPosition", Ros2RejectCause.NonFinite)]
    [TestCase("InfiniteEffort", Ros2RejectCause.NonFinite)]
    [TestCase("Stamp600msOld", Ros2RejectCause.FromPast)]
    [TestCase("Stamp200msAhead", Ros2RejectCause.FromFuture)]
    public void Read_RejectedJointState_CountedUnderItsCauseStateUnchanged(string variant, Ros2RejectCause cause)
    {
        using var rig = new Ros2HalRig();
        var state = new RobotState(3);
        rig.PublishAndAwait(() => rig.PublishJointState(Configured, [1, 2, 3], [4, 5, 6], [7, 8, 9]));
        Assert.That(rig.Hal.Read(state), Is.EqualTo(HalStatus.Ok));

        rig.PublishAndAwait(() => PublishBad(rig, variant));

        Assert.That(rig.Hal.Read(state), Is.EqualTo(HalStatus.NoNewData));
        Assert.That(state.Position, Is.EqualTo(new[] { 1.0, 2.0, 3.0 }));
        Assert.That(state.Effort, Is.EqualTo(new[] { 7.0, 8.0, 9.0 }));
        Assert.That(state.Sequence, Is.EqualTo(1));
        Assert.That(rig.Hal.Rejected(cause), Is.EqualTo(1));
        Assert.That(rig.Hal.RejectedTotal, Is.EqualTo(1));
        Assert.That(rig.Hal.AcceptedJointStates, Is.EqualTo(1));
        Assert.That(rig.Hal.ReceiveErrors, Is.Zero);
    }

    [Test]
    public void Read_ImuAndBattery_TiltFromQuaternionLevelKeptOnNaN()
    {
        using var rig = new Ros2HalRig();
        var state = new RobotState(3);
        rig.PublishAndAwait(() => rig.PublishJointState(Configured, [1, 2, 3], [], []));
        var imu = new ImuMessage();
        var (sec, nanosec) = Ros2HalRig.Stamp(-5);
        imu.Header.Stamp = new RosTime(sec, nanosec);
        imu.Orientation[1] = Math.Sin(0.15);
        imu.Orientation[3] = Math.Cos(0.15);
        imu.AngularVelocity[1] = 0.7;
        imu.AngularVelocity[2] = -0.2;
        Ros2HalRig.Publish(rig.Imu, Encode(imu));
        var battery = new BatteryStateMessage { Percentage = 0.8f, Voltage = 24.5f, Current = -2f };
        Ros2HalRig.Publish(rig.Battery, Encode(battery));
        Ros2HalRig.WaitFor(() => rig.Hal.AcceptedImu == 1 && rig.Hal.AcceptedBattery == 1, "imu and battery");
        battery.Percentage = float.NaN;
        Ros2HalRig.Publish(rig.Battery, Encode(battery));
        Ros2HalRig.WaitFor(() => rig.Hal.AcceptedBattery == 2, "second battery message");

        Assert.That(rig.Hal.Read(state), Is.EqualTo(HalStatus.Ok));
        Assert.That(state.Imu.TiltRad, Is.EqualTo(0.3).Within(1e-12));
        Assert.That(state.Imu.TiltRateRadPerSec, Is.EqualTo(0.7));
        Assert.That(state.Imu.YawRateRadPerSec, Is.EqualTo(-0.2));
        Assert.That(state.Imu.Valid, Is.True);
        Assert.That(state.Battery.Level, Is.EqualTo(0.8).Within(1e-6));
        Assert.That(state.Battery.VoltageV, Is.EqualTo(24.5).Within(1e-6));
        Assert.That(state.Battery.CurrentA, Is.EqualTo(2.0).Within(1e-6));
    }

    [Test]
    public void Write_ForwardCommand_PeerDecodesEfforts()
    {
        using var rig = new Ros2HalRig();
        var commands = new JointCommands(3);
        double[] efforts = [0.5, -1.25, 3.0];
        efforts.CopyTo(commands.Effort);

        Assert.That(rig.Hal.Write(commands), Is.EqualTo(HalStatus.Ok));

        var message = new Float64MultiArrayMessage();
        Assert.That(Float64MultiArrayMessage.Decode(rig.TakeCommand(), message), Is.EqualTo(CdrStatus.Ok));
        Assert.That(message.Data.Span.ToArray(), Is.EqualTo(efforts));
        Assert.That(rig.Hal.Written, Is.EqualTo(1));
    }

    [Test]
    public void Write_JointTrajectory_PeerDecodesOnePointWithNames()
    {
        using var rig = new Ros2HalRig(Ros2HalCommandMode.JointTrajectory);
        var commands = new JointCommands(3);
        new[] { 0.1, 0.2, 0.3 }.CopyTo(commands.Position);
        new[] { 1.0, 2.0, 3.0 }.CopyTo(commands.Velocity);
        new[] { -1.0, -2.0, -3.0 }.CopyTo(commands.Effort);

        Assert.That(rig.Hal.Write(commands), Is.EqualTo(HalStatus.Ok));

        var message = new JointTrajectoryMessage();
        Assert.That(JointTrajectoryMessage.Decode(rig.TakeCommand(), message), Is.EqualTo(CdrStatus.Ok));
        var names = message.JointNames.Take(message.JointNameCount).Select(n => System.Text.Encoding.UTF8.GetString(n.Utf8)).ToArray();
        Assert.That(names, Is.EqualTo(Configured));
        Assert.That(message.PointCount, Is.EqualTo(1));
        var point = message.Points[0];
        Assert.That(point.Positions.Span.ToArray(), Is.EqualTo(commands.Position));
        Assert.That(point.Velocities.Span.ToArray(), Is.EqualTo(commands.Velocity));
        Assert.That(point.Effort.Span.ToArray(), Is.EqualTo(commands.Effort));
        Assert.That(point.Accelerations.Count, Is.Zero);
        Assert.That(point.TimeFromStart, Is.EqualTo(default(RosTime)));
    }

    [Test]
    public void ReadWrite_SteadyState_AllocateNothing()
    {
        using var rig = new Ros2HalRig();
        rig.PublishAndAwait(() => rig.PublishJointState(Configured, [1, 2, 3], [], []));
        var state = new RobotState(3);
        var commands = new JointCommands(3);
        for (int i = 0; i < 100; i++)
        {
            _ = rig.Hal.Read(state);
            _ = rig.Hal.Write(commands);
        }

        int failures = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            failures += rig.Hal.Read(state) == HalStatus.NotConnected ? 1 : 0;
            failures += rig.Hal.Write(commands) == HalStatus.Ok ? 0 : 1;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(failures, Is.Zero);
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void Dispose_Started_StopsAndReadsNotConnected()
    {
        var rig = new Ros2HalRig();
        rig.Dispose();

        Assert.That(rig.Hal.Read(new RobotState(3)), Is.EqualTo(HalStatus.NotConnected));
        Assert.That(rig.Hal.Write(new JointCommands(3)), Is.EqualTo(HalStatus.NotConnected));
    }

    private static void PublishBad(Ros2HalRig rig, string variant)
    {
        switch (variant)
        {
            case "TooManyNames": // 65 > the codec's joint capacity: decode fails (LengthLimit)
                rig.PublishJointState([.. Enumerable.Range(0, 65).Select(i => "j" + i)], new double[65], [], []);
                break;
            case "ShortPosition":
                rig.PublishJointState(Configured, [1, 2], [], []);
                break;
            case "ShortVelocity":
                rig.PublishJointState(Configured, [1, 2, 3], [1], []);
                break;
            case "UnknownName":
                rig.PublishJointState(["hip", "knee", "ankle"], [1, 2, 3], [], []);
                break;
            case "TwoOfThree":
                rig.PublishJointState(["hip", "knee"], [1, 2], [], []);
                break;
            case "DuplicateName":
                rig.PublishJointState(["hip", "knee", "knee"], [1, 2, 3], [], []);
                break;
            case "NaNPosition":
                rig.PublishJointState(Configured, [1, double.NaN, 3], [], []);
                break;
            case "InfiniteEffort":
                rig.PublishJointState(Configured, [1, 2, 3], [], [0, double.PositiveInfinity, 0]);
                break;
            case "Stamp600msOld":
                rig.PublishJointState(Configured, [1, 2, 3], [], [], offsetMs: -600);
                break;
            case "Stamp200msAhead":
                rig.PublishJointState(Configured, [1, 2, 3], [], [], offsetMs: 200);
                break;
            default:
                Assert.Fail("unknown variant " + variant);
                break;
        }
    }

    private static byte[] Encode(ImuMessage message)
    {
        var buffer = new byte[4096];
        Assert.That(message.Encode(buffer, out int written), Is.EqualTo(CdrStatus.Ok));
        return buffer[..written];
    }

    private static byte[] Encode(BatteryStateMessage message)
    {
        var buffer = new byte[4096];
        Assert.That(message.Encode(buffer, out int written), Is.EqualTo(CdrStatus.Ok));
        return buffer[..written];
    }

    private sealed class ZeroClock : IMonotonicClock
    {
        public long NowNs => 0;
    }
}
