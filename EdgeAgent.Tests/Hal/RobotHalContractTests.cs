using EdgeAgent.Hal;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Tests.Hal.Ros2.Driver;

namespace EdgeAgent.Tests.Hal;

/// <summary>
/// What every <see cref="IRobotHal"/> driver promises the motor loop, checked the same way for each (as
/// QueueContractTests does for the queues): NotConnected before Start and after Dispose, Fault (never an exception,
/// never a half-filled state or a command for the wrong joints) on null or wrong-sized arguments, Dispose twice,
/// and no allocation per Read/Write once running.
/// </summary>
/// <typeparam name="THal">The driver.</typeparam>
public abstract class RobotHalContractTests<THal>
    where THal : IRobotHal
{
    /// <summary>Creates the driver, not started.</summary>
    /// <returns>The driver.</returns>
    protected abstract THal Create();

    /// <summary>Starts it and waits until Read can return a measurement (a peer may need to publish first).</summary>
    /// <param name="hal">The driver.</param>
    protected abstract void StartAndFeed(THal hal);

    [Test]
    public void ReadWrite_BeforeStart_NotConnected()
    {
        using THal hal = Create();
        int n = hal.JointNames.Count;

        Assert.Multiple(() =>
        {
            Assert.That(hal.Read(new RobotState(n)), Is.EqualTo(HalStatus.NotConnected));
            Assert.That(hal.Write(new JointCommands(n)), Is.EqualTo(HalStatus.NotConnected));
        });
    }

    [Test]
    public void ReadWrite_WrongSizeOrNull_FaultWithoutThrowing()
    {
        using THal hal = Create();
        StartAndFeed(hal);
        int n = hal.JointNames.Count;

        Assert.Multiple(() =>
        {
            Assert.That(hal.Read(new RobotState(n + 1)), Is.EqualTo(HalStatus.Fault), "a state for one joint more");
            Assert.That(hal.Read(new RobotState(n - 1)), Is.EqualTo(HalStatus.Fault), "a state for one joint fewer");
            Assert.That(hal.Read(null!), Is.EqualTo(HalStatus.Fault));
            Assert.That(hal.Write(new JointCommands(n - 1)), Is.EqualTo(HalStatus.Fault), "efforts for the wrong joints never reach the robot");
            Assert.That(hal.Write(null!), Is.EqualTo(HalStatus.Fault));
            Assert.That(hal.Write(new JointCommands(n)), Is.EqualTo(HalStatus.Ok), "a right-sized command still goes");
        });
    }

    [Test]
    public void Dispose_Twice_NoThrowAndNotConnectedAfter()
    {
        THal hal = Create();
        StartAndFeed(hal);
        int n = hal.JointNames.Count;

        hal.Dispose();
        Assert.DoesNotThrow(hal.Dispose);

        Assert.Multiple(() =>
        {
            Assert.That(hal.Read(new RobotState(n)), Is.EqualTo(HalStatus.NotConnected));
            Assert.That(hal.Write(new JointCommands(n)), Is.EqualTo(HalStatus.NotConnected));
        });
    }

    [Test]
    public void ReadWrite_Running_AllocateNothing()
    {
        using THal hal = Create();
        StartAndFeed(hal);
        int n = hal.JointNames.Count;
        var state = new RobotState(n);
        var commands = new JointCommands(n);
        for (int i = 0; i < 100; i++)
        {
            hal.Read(state);
            hal.Write(commands);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++)
        {
            hal.Read(state);
            hal.Write(commands);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "bytes allocated by 2000 reads and writes on this thread");
    }
}

/// <summary>The simulated robot under the HAL contract.</summary>
public sealed class SimulatedRobotContractTests : RobotHalContractTests<SimulatedRobot>
{
    private readonly SimulatedClock _clock = new();

    /// <inheritdoc/>
    protected override SimulatedRobot Create() =>
        new(EdgeAgent.Hal.HalFactory.SimOptionsFrom(EdgeAgent.Tests.Control.ControlRig.Fresh()), _clock);

    /// <inheritdoc/>
    protected override void StartAndFeed(SimulatedRobot hal)
    {
        hal.Start(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
    }
}

/// <summary>The ROS 2 driver under the HAL contract, over loopback DDS with a peer publishing joint states.</summary>
[NonParallelizable]
public sealed class Ros2RobotHalContractTests : RobotHalContractTests<Ros2RobotHal>
{
    [OneTimeSetUp]
    public void PointCycloneAtLoopback() => EdgeAgent.Tests.Support.CycloneLoopback.Ensure();

    /// <inheritdoc/>
    protected override Ros2RobotHal Create()
    {
        var prefix = "/ea_contract_" + Guid.NewGuid().ToString("N")[..12];
        return new Ros2RobotHal(
            new Ros2HalOptions
            {
                JointNames = Ros2HalRig.Joints,
                DomainId = (int)Ros2DriverTestEnvironment.DomainId,
                JointStatesTopic = prefix + "/joint_states",
                ImuTopic = prefix + "/imu",
                BatteryTopic = prefix + "/battery",
                CommandTopic = prefix + "/commands",
            },
            new SimulatedClock());
    }

    /// <inheritdoc/>
    protected override void StartAndFeed(Ros2RobotHal hal) => hal.Start(CancellationToken.None);
}
