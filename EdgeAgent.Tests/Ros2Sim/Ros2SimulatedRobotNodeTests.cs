using System.Diagnostics;
using EdgeAgent.Configuration;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Ros2Sim;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Ros2Sim;

/// <summary>The node in-process on a private loopback domain, observed and commanded through a second participant.</summary>
[NonParallelizable]
public class Ros2SimulatedRobotNodeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static AgentOptions Options(double initialTiltDeg = 0, double imuNoise = 0.001)
    {
        AgentOptions options = AgentConfigLoader.Load(RepoPaths.DefaultConfig);
        options.Hal.Sim.InitialTiltDeg = initialTiltDeg;
        options.Hal.Sim.ImuNoise = imuNoise;
        return options;
    }

    [Test]
    public void JointStates_Published_HaveConfiguredNamesFiniteValuesAndRoughlyTheRate()
    {
        AgentOptions options = Options();
        using var node = new Ros2SimulatedRobotNode(options, Ros2SimTestEnvironment.DomainId, 500);
        using var peer = new Peer(options);
        node.Start();
        Assert.That(Ros2SimTestEnvironment.WaitUntil(() => peer.JointStatesMatched, Bound), Is.True, "joint state reader matched");
        Assert.That(Ros2SimTestEnvironment.WaitUntil(() => peer.TakeJointStates() > 0, Bound), Is.True, "first joint state");

        var clock = Stopwatch.StartNew();
        int received = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            received += peer.TakeJointStates();
            Thread.Sleep(2);
        }

        double rate = received / clock.Elapsed.TotalSeconds;
        JointStateMessage last = peer.JointState;
        Assert.Multiple(() =>
        {
            Assert.That(rate, Is.GreaterThanOrEqualTo(250), "≥ 50 % of 500 Hz");
            Assert.That(last.NameCount, Is.EqualTo(12));
            Assert.That(last.UnmatchedCount, Is.Zero);
            Assert.That(last.JointIndices.ToArray(), Is.EqualTo(Enumerable.Range(0, 12).ToArray()), "names in robot.joints order");
            Assert.That(last.Position.Count, Is.EqualTo(12));
            Assert.That(last.Velocity.Count, Is.EqualTo(12));
            Assert.That(last.Effort.Count, Is.EqualTo(12));
            Assert.That(last.Position.Span.ToArray().Concat(last.Velocity.Span.ToArray()).Concat(last.Effort.Span.ToArray()).All(double.IsFinite), Is.True);
            Assert.That(last.Header.FrameId.ToString(), Is.EqualTo("base_link"));
            var stamp = DateTimeOffset.FromUnixTimeSeconds(last.Header.Stamp.Sec).AddTicks(last.Header.Stamp.Nanosec / 100);
            Assert.That((DateTimeOffset.UtcNow - stamp).Duration(), Is.LessThan(TimeSpan.FromSeconds(5)), "wall-clock stamp");
        });
    }

    [Test]
    public void Imu_RobotFallen_PitchDecodesToTheRobotsTilt()
    {
        AgentOptions options = Options(initialTiltDeg: 5, imuNoise: 0);
        using var node = new Ros2SimulatedRobotNode(options, Ros2SimTestEnvironment.DomainId, 500);
        using var peer = new Peer(options);
        node.Start();
        Assert.That(Ros2SimTestEnvironment.WaitUntil(() => node.HasFallen, Bound), Is.True, "a 5° start falls");
        peer.TakeImu();
        Assert.That(Ros2SimTestEnvironment.WaitUntil(() => peer.TakeImu() > 0, Bound), Is.True, "IMU received after the fall");

        double[] q = peer.Imu.Orientation;
        double pitch = 2 * Math.Atan2(q[1], q[3]);
        Assert.Multiple(() =>
        {
            Assert.That(node.TiltRad, Is.EqualTo(Math.PI / 2).Within(1e-9), "fallen forward: tilt clamped at π/2");
            Assert.That(pitch, Is.EqualTo(node.TiltRad).Within(1e-9));
            Assert.That(q[0], Is.Zero);
            Assert.That(q[2], Is.Zero);
            Assert.That(peer.Imu.AngularVelocity[1], Is.Zero, "a fallen robot does not tilt further");
        });
    }

    [Test]
    public void Command_LargeTorqueOnLeftKnee_PublishedKneePositionIncreases()
    {
        AgentOptions options = Options();
        const int knee = 3;
        Assert.That(options.Robot.Joints[knee].Name, Is.EqualTo("left_knee"));
        using var node = new Ros2SimulatedRobotNode(options, Ros2SimTestEnvironment.DomainId, 500);
        using var peer = new Peer(options);
        node.Start();
        Assert.That(Ros2SimTestEnvironment.WaitUntil(() => peer.JointStatesMatched && peer.CommandMatched, Bound), Is.True, "matched both ways");
        Assert.That(Ros2SimTestEnvironment.WaitUntil(() => peer.TakeJointStates() > 0, Bound), Is.True);
        double start = peer.JointState.Position.Buffer[knee];

        var effort = new double[12];
        effort[knee] = 50;
        bool moved = Ros2SimTestEnvironment.WaitUntil(
            () =>
            {
                peer.WriteCommand(effort);
                return peer.TakeJointStates() > 0 && peer.JointState.Position.Buffer[knee] > start + 0.2;
            },
            Bound);

        Assert.Multiple(() =>
        {
            Assert.That(moved, Is.True, $"left_knee from {start}: now {peer.JointState.Position.Buffer[knee]}");
            Assert.That(node.CommandsAccepted, Is.GreaterThanOrEqualTo(1));
            Assert.That(node.CommandsRejected, Is.Zero);
        });
    }

    [Test]
    public void Command_WrongLength_IsRejectedAndCounted()
    {
        AgentOptions options = Options();
        using var node = new Ros2SimulatedRobotNode(options, Ros2SimTestEnvironment.DomainId, 500);
        using var peer = new Peer(options);
        node.Start();
        Assert.That(Ros2SimTestEnvironment.WaitUntil(() => peer.CommandMatched, Bound), Is.True);

        peer.WriteCommand([1, 2, 3, 4, 5]);

        Assert.That(Ros2SimTestEnvironment.WaitUntil(() => node.CommandsRejected >= 1, Bound), Is.True, "rejection counted");
        Assert.That(node.CommandsAccepted, Is.Zero);
    }

    [Test]
    public void Battery_Published_AtAboutTenHzWithLevelVoltageAndPresent()
    {
        AgentOptions options = Options();
        using var node = new Ros2SimulatedRobotNode(options, Ros2SimTestEnvironment.DomainId, 500);
        using var peer = new Peer(options);
        node.Start();
        Assert.That(Ros2SimTestEnvironment.WaitUntil(() => peer.TakeBattery() > 0, Bound), Is.True, "first battery message");

        var clock = Stopwatch.StartNew();
        int received = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            received += peer.TakeBattery();
            Thread.Sleep(10);
        }

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.InRange(5, 15), "10 Hz");
            Assert.That(peer.Battery.Percentage, Is.InRange(0f, 1f));
            Assert.That(peer.Battery.Percentage, Is.EqualTo((float)options.Hal.Sim.BatteryInitialLevel).Within(0.01f));
            Assert.That(peer.Battery.Voltage, Is.GreaterThan(0f));
            Assert.That(float.IsFinite(peer.Battery.Current), Is.True);
            Assert.That(peer.Battery.Present, Is.True);
        });
    }

    [TestCase("x")]
    [TestCase("300")]
    public void Simulate_BadRosDomainId_RefusedLikeTheAgentNotDomainZero(string environment)
    {
        // One rule for the agent and the simulator: ROS_DOMAIN_ID=300 is an error in both, never a silent domain 0.
        var ex = Assert.Throws<ArgumentException>(() => Ros2HalOptions.ResolveDomainId(-1, environment));

        Assert.That(ex!.Message, Does.StartWith($"ROS_DOMAIN_ID '{environment}' is not a domain id (0..232)"));
    }
}
