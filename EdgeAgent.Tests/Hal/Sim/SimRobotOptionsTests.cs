using EdgeAgent.Hal.Sim;

namespace EdgeAgent.Tests.Hal.Sim;

public sealed class SimRobotOptionsTests
{
    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return Case(o => o.JointNames = [], nameof(SimRobotOptions.JointNames));
        yield return Case(o => o.JointNames = ["a", "b", "a"], nameof(SimRobotOptions.JointNames));
        yield return Case(o => o.JointNames = ["a", " "], nameof(SimRobotOptions.JointNames));
        yield return Case(o => o.LeftWheelIndex = 12, nameof(SimRobotOptions.LeftWheelIndex));
        yield return Case(o => o.RightWheelIndex = -2, nameof(SimRobotOptions.RightWheelIndex));
        yield return Case(o => o.RightWheelIndex = o.LeftWheelIndex, nameof(SimRobotOptions.RightWheelIndex));
        yield return Case(o => o.WheelRadius = 0, nameof(SimRobotOptions.WheelRadius));
        yield return Case(o => o.TrackWidth = double.NaN, nameof(SimRobotOptions.TrackWidth));
        yield return Case(o => o.JointInertia = 0, nameof(SimRobotOptions.JointInertia));
        yield return Case(o => o.JointDamping = -0.1, nameof(SimRobotOptions.JointDamping));
        yield return Case(o => o.JointFriction = -1, nameof(SimRobotOptions.JointFriction));
        yield return Case(o => o.MotorTorqueMax = 0, nameof(SimRobotOptions.MotorTorqueMax));
        yield return Case(o => o.BaseMass = -12, nameof(SimRobotOptions.BaseMass));
        yield return Case(o => o.PendulumLength = 0, nameof(SimRobotOptions.PendulumLength));
        yield return Case(o => o.InitialTiltRad = 2.0, nameof(SimRobotOptions.InitialTiltRad));
        yield return Case(o => o.InitialJointPositions = [0.0, 1.0], nameof(SimRobotOptions.InitialJointPositions));
        yield return Case(o => o.PositionNoise = -0.1, nameof(SimRobotOptions.PositionNoise));
        yield return Case(o => o.BatteryCapacityWh = 0, nameof(SimRobotOptions.BatteryCapacityWh));
        yield return Case(o => o.BatteryInitialLevel = 1.5, nameof(SimRobotOptions.BatteryInitialLevel));
        yield return Case(o => o.IdlePowerW = -1, nameof(SimRobotOptions.IdlePowerW));
        yield return Case(o => o.Substep = TimeSpan.Zero, nameof(SimRobotOptions.Substep));
        yield return Case(o => o.Gravity = double.PositiveInfinity, nameof(SimRobotOptions.Gravity));

        static TestCaseData Case(Action<SimRobotOptions> mutate, string field, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(mutate))] string what = "") =>
            new TestCaseData(mutate, field).SetArgDisplayNames(what);
    }

    [Test]
    public void Validate_Defaults_DoesNotThrow()
    {
        var options = new SimRobotOptions { JointNames = SimRobotOptions.DefaultJointNames };

        Assert.That(options.Validate, Throws.Nothing);
    }

    [Test]
    public void Validate_NoWheels_DoesNotThrow()
    {
        Assert.That(SimRig.SingleJoint().Validate, Throws.Nothing);
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Validate_BadOption_ThrowsNamingField(Action<SimRobotOptions> mutate, string field)
    {
        var options = new SimRobotOptions { JointNames = SimRobotOptions.DefaultJointNames };
        mutate(options);

        Assert.That(
            options.Validate,
            Throws.ArgumentException
                .With.Message.Contains($"SimRobotOptions.{field}")
                .And.Property(nameof(ArgumentException.ParamName)).EqualTo(field));
    }

    [Test]
    public void Start_InvalidOptions_Throws()
    {
        var options = SimRig.SingleJoint();
        options.JointInertia = -1;
        using var robot = new SimulatedRobot(options, new SimulatedClock());

        Assert.That(() => robot.Start(CancellationToken.None), Throws.ArgumentException.With.Message.Contains("JointInertia"));
    }
}
