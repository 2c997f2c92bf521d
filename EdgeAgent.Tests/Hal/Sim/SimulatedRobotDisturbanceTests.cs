using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;

namespace EdgeAgent.Tests.Hal.Sim;

public sealed class SimulatedRobotDisturbanceTests
{
    [Test]
    public void Push_Forward_TiltsBaseForward()
    {
        using var rig = new SimRig(SimRig.Wheeled(noise: false));
        rig.Step();

        rig.Robot.Push(50.0, TimeSpan.FromMilliseconds(100));
        rig.Run(TimeSpan.FromMilliseconds(100));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Robot.TrueTiltRad, Is.GreaterThan(0.03));
            Assert.That(rig.State.Imu.TiltRateRadPerSec, Is.GreaterThan(0.5));
        }
    }

    [Test]
    public void DropSensors_ForFiftyMilliseconds_NoNewDataThenResumes()
    {
        using var rig = new SimRig(SimRig.Wheeled());
        rig.Step();
        var sequence = rig.State.Sequence;
        var stamp = rig.State.StampNs;

        rig.Robot.DropSensors(TimeSpan.FromMilliseconds(50));
        var statuses = new List<HalStatus>();
        for (var i = 0; i < 49; i++)
        {
            statuses.Add(rig.Step());
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(statuses, Is.All.EqualTo(HalStatus.NoNewData));
            Assert.That(rig.State.Sequence, Is.EqualTo(sequence));
            Assert.That(rig.State.StampNs, Is.EqualTo(stamp));
            Assert.That(rig.Robot.PhysicsTimeNs, Is.EqualTo(stamp + 49_000_000));
        }

        Assert.That(rig.Step(), Is.EqualTo(HalStatus.Ok));
        Assert.That(rig.State.Sequence, Is.EqualTo(sequence + 1));
        Assert.That(rig.State.StampNs, Is.EqualTo(stamp + 50_000_000));
    }

    [Test]
    public void Stall_MovingJoint_FreezesItAndReportsAppliedEffort()
    {
        using var rig = new SimRig(SimRig.SingleJoint());
        rig.Commands.Effort[0] = 5.0;
        rig.Run(TimeSpan.FromMilliseconds(50));
        Assert.That(rig.Robot.TrueJointVelocity(0), Is.GreaterThan(1.0));

        rig.Robot.Stall(0, TimeSpan.FromMilliseconds(100));
        var frozenAt = rig.Robot.TrueJointPosition(0);
        rig.Run(TimeSpan.FromMilliseconds(99));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Robot.TrueJointPosition(0), Is.EqualTo(frozenAt));
            Assert.That(rig.Robot.TrueJointVelocity(0), Is.Zero);
            Assert.That(rig.State.Velocity[0], Is.Zero);
            Assert.That(rig.State.Effort[0], Is.EqualTo(5.0));
        }

        rig.Run(TimeSpan.FromMilliseconds(20));
        Assert.That(rig.Robot.TrueJointPosition(0), Is.GreaterThan(frozenAt), "the joint moves again once the stall ends");
    }

    [Test]
    public void ApplyLoad_LargerThanMotorTorque_MeasuredEffortExceedsAppliedAndJointGivesWay()
    {
        using var rig = new SimRig(SimRig.SingleJoint());
        rig.Commands.Effort[0] = 5.0;
        rig.Robot.Write(rig.Commands);

        rig.Robot.ApplyLoad(0, 80.0, TimeSpan.FromMilliseconds(100));
        rig.Run(TimeSpan.FromMilliseconds(50));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.State.Effort[0], Is.EqualTo(85.0));
            Assert.That(rig.State.Effort[0], Is.GreaterThan(rig.Options.MotorTorqueMax));
            Assert.That(rig.Robot.AppliedTorque(0), Is.EqualTo(5.0));
            Assert.That(rig.Robot.TrueJointVelocity(0), Is.LessThan(0));
        }

        rig.Run(TimeSpan.FromMilliseconds(60));
        Assert.That(rig.State.Effort[0], Is.EqualTo(5.0), "the load ends after its duration");
    }

    [Test]
    public void Teleport_NewPosition_MovesBase()
    {
        using var rig = new SimRig(SimRig.Wheeled());

        rig.Robot.Teleport(3.0, -2.0);
        rig.Step();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Robot.TrueBase.X, Is.EqualTo(3.0));
            Assert.That(rig.Robot.TrueBase.Y, Is.EqualTo(-2.0));
            Assert.That(rig.State.Base.X, Is.EqualTo(3.0));
            Assert.That(rig.State.Base.Y, Is.EqualTo(-2.0));
        }
    }

    [Test]
    public void Push_BeforeStart_Throws()
    {
        using var robot = new SimulatedRobot(SimRig.Wheeled(), new SimulatedClock());

        Assert.That(() => robot.Push(10, TimeSpan.FromSeconds(1)), Throws.InvalidOperationException);
    }
}
