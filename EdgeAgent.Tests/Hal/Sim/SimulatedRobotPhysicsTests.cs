using EdgeAgent.Hal.Sim;

namespace EdgeAgent.Tests.Hal.Sim;

public sealed class SimulatedRobotPhysicsTests
{
    private const double Degree = Math.PI / 180.0;

    [Test]
    public void Read_UncontrolledFromTwoDegrees_FallsPastThirtyDegreesWithinTwoSeconds()
    {
        using var rig = new SimRig(SimRig.Wheeled(tiltRad: 2 * Degree));
        var start = rig.Clock.NowNs;
        long? crossedAfterNs = null;

        while (rig.Clock.NowNs - start < 2_000_000_000)
        {
            rig.Step();
            if (crossedAfterNs is null && Math.Abs(rig.Robot.TrueTiltRad) > 30 * Degree)
            {
                crossedAfterNs = rig.Clock.NowNs - start;
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(crossedAfterNs, Is.Not.Null.And.LessThanOrEqualTo(2_000_000_000));
            Assert.That(rig.State.Imu.TiltRad, Is.GreaterThan(30 * Degree));
            Assert.That(rig.Robot.HasFallen, Is.True);
            Assert.That(rig.Robot.TrueTiltRad, Is.EqualTo(Math.PI / 2));
            Assert.That(rig.Robot.TrueTiltRateRadPerSec, Is.Zero);
        }
    }

    [Test]
    public void Read_UprightWithoutNoise_StaysAtEquilibrium()
    {
        using var rig = new SimRig(SimRig.Wheeled(noise: false));

        rig.Run(TimeSpan.FromSeconds(2));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Robot.TrueTiltRad, Is.Zero);
            Assert.That(rig.State.Imu.TiltRad, Is.Zero);
            Assert.That(rig.Robot.HasFallen, Is.False);
        }
    }

    [Test]
    public void Write_ConstantTorqueOnFreeJoint_MatchesAnalyticVelocity()
    {
        using var rig = new SimRig(SimRig.SingleJoint());
        const double Torque = 2.0;
        const double J = 0.02, B = 0.05, Fc = 0.2;
        rig.Commands.Effort[0] = Torque;

        rig.Run(TimeSpan.FromMilliseconds(10));
        var earlyAcceleration = rig.Robot.TrueJointVelocity(0) / 0.010;
        rig.Run(TimeSpan.FromMilliseconds(90));

        // J·q̈ = τ − b·q̇ − Fc from rest: q̇(t) = (τ − Fc)/b · (1 − e^(−b·t/J)).
        var expected = (Torque - Fc) / B * (1 - Math.Exp(-B * 0.1 / J));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(earlyAcceleration, Is.EqualTo((Torque - Fc) / J).Within(2).Percent);
            Assert.That(rig.Robot.TrueJointVelocity(0), Is.EqualTo(expected).Within(1).Percent);
            Assert.That(rig.State.Velocity[0], Is.EqualTo(expected).Within(1).Percent);
        }
    }

    [Test]
    public void Write_TorqueBelowCoulombFriction_RestingJointDoesNotMove()
    {
        var options = SimRig.SingleJoint();
        options.InitialJointPositions = [0.3];
        using var rig = new SimRig(options);
        rig.Commands.Effort[0] = 0.19;

        rig.Run(TimeSpan.FromSeconds(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Robot.TrueJointPosition(0), Is.EqualTo(0.3));
            Assert.That(rig.Robot.TrueJointVelocity(0), Is.Zero);
        }
    }

    [Test]
    public void Write_TorqueRemoved_MovingJointComesToRestWithoutChatter()
    {
        using var rig = new SimRig(SimRig.SingleJoint());
        rig.Commands.Effort[0] = 5.0;
        rig.Run(TimeSpan.FromMilliseconds(100));

        rig.Commands.Effort[0] = 0.0;
        rig.Run(TimeSpan.FromSeconds(1));
        var restingPosition = rig.Robot.TrueJointPosition(0);
        rig.Run(TimeSpan.FromMilliseconds(100));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Robot.TrueJointVelocity(0), Is.Zero);
            Assert.That(rig.Robot.TrueJointPosition(0), Is.EqualTo(restingPosition));
        }
    }

    [TestCase(100.0, 60.0)]
    [TestCase(-1e9, -60.0)]
    [TestCase(double.PositiveInfinity, 60.0)]
    [TestCase(12.5, 12.5)]
    [TestCase(double.NaN, 0.0)]
    public void Write_Command_AppliesClampedTorque(double command, double applied)
    {
        using var rig = new SimRig(SimRig.Wheeled());
        rig.Commands.Effort[2] = command;

        rig.Robot.Write(rig.Commands);
        rig.Step();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Robot.AppliedTorque(2), Is.EqualTo(applied));
            Assert.That(rig.State.Effort[2], Is.EqualTo(applied));
        }
    }

    [Test]
    public void Write_EqualWheelTorques_DrivesStraight()
    {
        using var rig = new SimRig(SimRig.Wheeled(noise: false));
        rig.Commands.Effort[rig.Options.LeftWheelIndex] = 3.0;
        rig.Commands.Effort[rig.Options.RightWheelIndex] = 3.0;

        rig.Run(TimeSpan.FromMilliseconds(500));

        var pose = rig.Robot.TrueBase;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pose.X, Is.GreaterThan(0.2));
            Assert.That(pose.Y, Is.EqualTo(0).Within(1e-9));
            Assert.That(pose.HeadingRad, Is.EqualTo(0).Within(1e-9));
            Assert.That(pose.ForwardVelocity, Is.GreaterThan(0.5));
            Assert.That(rig.State.Base, Is.EqualTo(pose));
            Assert.That(rig.Robot.TrueTiltRad, Is.LessThan(0), "accelerating forward tips the pendulum back");
        }
    }

    [Test]
    public void Write_OppositeWheelTorques_TurnsInPlace()
    {
        using var rig = new SimRig(SimRig.Wheeled(noise: false));
        rig.Commands.Effort[rig.Options.LeftWheelIndex] = -3.0;
        rig.Commands.Effort[rig.Options.RightWheelIndex] = 3.0;

        rig.Run(TimeSpan.FromMilliseconds(200));

        var pose = rig.Robot.TrueBase;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pose.HeadingRad, Is.GreaterThan(0.2));
            Assert.That(rig.State.Imu.YawRateRadPerSec, Is.GreaterThan(1.0));
            Assert.That(pose.X, Is.EqualTo(0).Within(1e-9));
            Assert.That(pose.Y, Is.EqualTo(0).Within(1e-9));
            Assert.That(rig.Robot.TrueTiltRad, Is.Zero);
        }
    }

    [Test]
    public void Write_WheelTorque_AcceleratesWithHalfBaseMassReflected()
    {
        using var rig = new SimRig(SimRig.Wheeled(noise: false));
        rig.Commands.Effort[rig.Options.LeftWheelIndex] = 3.0;
        rig.Commands.Effort[rig.Options.RightWheelIndex] = 3.0;

        rig.Run(TimeSpan.FromMilliseconds(10));

        // J_eff = J + m·r²/2 = 0.02 + 12·0.01/2 = 0.08 kg·m²; q̈ ≈ (τ − Fc)/J_eff = 35 rad/s².
        var expectedVelocity = 0.1 * 35.0 * 0.010;
        Assert.That(rig.Robot.TrueBase.ForwardVelocity, Is.EqualTo(expectedVelocity).Within(2).Percent);
    }

    [Test]
    public void Write_PdBalanceLoopOnNoisySensors_KeepsBaseUpright()
    {
        using var rig = new SimRig(SimRig.Wheeled(tiltRad: 3 * Degree));
        const double Kp = 20.0, Kd = 5.0, Gravity = 9.81, WheelInertia = 0.08, Radius = 0.1, Friction = 0.2;

        for (var i = 0; i < 5_000; i++)
        {
            rig.Step();
            var imu = rig.State.Imu;
            var acceleration = (Gravity * imu.TiltRad) + (Kp * imu.TiltRad) + (Kd * imu.TiltRateRadPerSec);
            var torque = (WheelInertia * acceleration / Radius) + Math.CopySign(Friction, acceleration);
            rig.Commands.Effort[rig.Options.LeftWheelIndex] = torque;
            rig.Commands.Effort[rig.Options.RightWheelIndex] = torque;
            rig.Robot.Write(rig.Commands);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Robot.HasFallen, Is.False);
            Assert.That(Math.Abs(rig.Robot.TrueTiltRad), Is.LessThan(1 * Degree));
            Assert.That(rig.Robot.TrueBase.X, Is.GreaterThan(0), "it drove forward to catch the forward lean");
        }
    }
}
