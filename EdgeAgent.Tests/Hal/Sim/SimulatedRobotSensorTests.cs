using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;

namespace EdgeAgent.Tests.Hal.Sim;

public sealed class SimulatedRobotSensorTests
{
    [Test]
    public void Read_BeforeStart_ReturnsNotConnected()
    {
        using var robot = new SimulatedRobot(SimRig.Wheeled(), new SimulatedClock(5));
        var state = new RobotState(robot.JointNames.Count);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(robot.Read(state), Is.EqualTo(HalStatus.NotConnected));
            Assert.That(robot.Write(new JointCommands(robot.JointNames.Count)), Is.EqualTo(HalStatus.NotConnected));
            Assert.That(state.Sequence, Is.Zero);
        }
    }

    [Test]
    public void Read_TwiceAtSameClockTime_SecondReturnsNoNewData()
    {
        using var rig = new SimRig(SimRig.Wheeled());
        Assert.That(rig.Step(), Is.EqualTo(HalStatus.Ok));
        var position = rig.State.Position[0];
        var sequence = rig.State.Sequence;

        var second = rig.Robot.Read(rig.State);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second, Is.EqualTo(HalStatus.NoNewData));
            Assert.That(rig.State.Sequence, Is.EqualTo(sequence));
            Assert.That(rig.State.Position[0], Is.EqualTo(position));
        }
    }

    [Test]
    public void Read_ClockAdvanced_IncrementsSequenceAndStampsPhysicsTime()
    {
        using var rig = new SimRig(SimRig.Wheeled());

        rig.Step();
        var first = rig.State.Sequence;
        rig.Clock.Advance(TimeSpan.FromMicroseconds(1100));
        rig.Robot.Read(rig.State);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.State.Sequence, Is.EqualTo(first + 1));
            Assert.That(rig.State.StampNs, Is.EqualTo(rig.Clock.NowNs));
            Assert.That(rig.Robot.PhysicsTimeNs, Is.EqualTo(rig.Clock.NowNs));
            Assert.That(rig.State.Imu.Valid, Is.True);
            Assert.That(rig.Robot.JointNames, Is.EqualTo(SimRobotOptions.DefaultJointNames));
        }
    }

    [Test]
    public void Read_StateOfWrongSize_ReturnsFault()
    {
        using var rig = new SimRig(SimRig.Wheeled());
        rig.Clock.Advance(SimRig.Tick);

        Assert.That(rig.Robot.Read(new RobotState(3)), Is.EqualTo(HalStatus.Fault));
    }

    [Test]
    public void Read_SameSeed_GivesIdenticalSequences()
    {
        var (positions1, imu1) = Record(seed: 7);
        var (positions2, imu2) = Record(seed: 7);

        Assert.That(positions2, Is.EqualTo(positions1));
        Assert.That(imu2, Is.EqualTo(imu1));
    }

    [Test]
    public void Read_DifferentSeeds_GiveDifferentSequences()
    {
        var (positions1, imu1) = Record(seed: 7);
        var (positions2, imu2) = Record(seed: 8);

        Assert.That(positions2, Is.Not.EqualTo(positions1));
        Assert.That(imu2, Is.Not.EqualTo(imu1));
    }

    [Test]
    public void Read_AtRest_NoiseStandardDeviationMatchesOptions()
    {
        var options = SimRig.Wheeled();
        using var rig = new SimRig(options);
        var position = new double[10_000];
        var velocity = new double[10_000];
        var tilt = new double[10_000];

        for (var i = 0; i < position.Length; i++)
        {
            rig.Step();
            position[i] = rig.State.Position[3] - rig.Robot.TrueJointPosition(3);
            velocity[i] = rig.State.Velocity[3] - rig.Robot.TrueJointVelocity(3);
            tilt[i] = rig.State.Imu.TiltRad - rig.Robot.TrueTiltRad;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(StandardDeviation(position), Is.EqualTo(options.PositionNoise).Within(20).Percent);
            Assert.That(StandardDeviation(velocity), Is.EqualTo(options.VelocityNoise).Within(20).Percent);
            Assert.That(StandardDeviation(tilt), Is.EqualTo(options.ImuNoise).Within(20).Percent);
            Assert.That(position.Average(), Is.EqualTo(0).Within(options.PositionNoise / 10));
        }
    }

    [Test]
    public void Read_UnderLoad_BatteryDrainsFasterThanIdle()
    {
        using var idle = new SimRig(SimRig.Wheeled());
        using var loaded = new SimRig(SimRig.Wheeled());
        loaded.Commands.Effort[2] = 20.0;

        idle.Run(TimeSpan.FromSeconds(1));
        loaded.Run(TimeSpan.FromSeconds(1));

        // Idle alone: 25 W for 1 s out of 240 Wh.
        var idleDrain = 25.0 / (240.0 * 3600.0);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(1.0 - idle.Robot.BatteryLevel, Is.EqualTo(idleDrain).Within(1).Percent);
            Assert.That(1.0 - loaded.Robot.BatteryLevel, Is.GreaterThan(2 * idleDrain));
            Assert.That(loaded.State.Battery.CurrentA, Is.GreaterThan(idle.State.Battery.CurrentA));
            Assert.That(loaded.State.Battery.VoltageV, Is.LessThan(idle.State.Battery.VoltageV));
            Assert.That(idle.State.Battery.CurrentA, Is.EqualTo(25.0 / 42.0).Within(1).Percent);
        }
    }

    [Test]
    public void SetBatteryLevel_Half_ReadReportsHalfChargeAndVoltage()
    {
        using var rig = new SimRig(SimRig.Wheeled());

        rig.Robot.SetBatteryLevel(0.5);
        rig.Step();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Robot.BatteryLevel, Is.EqualTo(0.5).Within(1e-6));
            Assert.That(rig.State.Battery.Level, Is.EqualTo(0.5).Within(1e-6));
            Assert.That(rig.State.Battery.VoltageV, Is.EqualTo(37.8).Within(0.05));
            Assert.That(() => rig.Robot.SetBatteryLevel(1.1), Throws.TypeOf<ArgumentOutOfRangeException>());
        }
    }

    private static (double[] Positions, ImuReading[] Imu) Record(int seed)
    {
        using var rig = new SimRig(SimRig.Wheeled(seed: seed, tiltRad: 0.01));
        rig.Commands.Effort[2] = 1.0;
        rig.Robot.Write(rig.Commands);
        var positions = new double[1000];
        var imu = new ImuReading[1000];
        for (var i = 0; i < positions.Length; i++)
        {
            rig.Step();
            positions[i] = rig.State.Position[2];
            imu[i] = rig.State.Imu;
        }

        return (positions, imu);
    }

    private static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
