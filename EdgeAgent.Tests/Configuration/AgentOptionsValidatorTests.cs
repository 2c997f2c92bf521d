using System.Diagnostics.CodeAnalysis;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using Microsoft.Extensions.Options;
using static EdgeAgent.Tests.Configuration.ConfigTestFiles;

namespace EdgeAgent.Tests.Configuration;

[TestFixture]
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names are Method_Scenario_Expected (STYLE.md).")]
public sealed class AgentOptionsValidatorTests
{
    private static readonly string[] NestedRangeFailures =
    [
        "hal.sim.base_mass: 0 is outside the allowed range 0.1 to 10000. Fix: set a value between 0.1 and 10000",
        "motor.gains[2].kd: -1 is outside the allowed range 0 to 1000000. Fix: set a value between 0 and 1000000",
        "safety.geofence[1].x: 2000000 is outside the allowed range -1000000 to 1000000. Fix: set a value between -1000000 and 1000000",
    ];

    [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "The host calls the validator through IValidateOptions; so do these tests.")]
    private readonly IValidateOptions<AgentOptions> validator = new AgentOptionsValidator();

    [Test]
    public void Validate_ShippedConfig_Succeeds()
    {
        var options = AgentConfigLoader.Load(ShippedConfigPath(), NoEnvironment);

        var result = validator.Validate(Options.DefaultName, options);

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [TestCase(50)]
    [TestCase(120_000)]
    public void Validate_DiagnosticsPeriodOutOfRange_NamesTheKey(int milliseconds)
    {
        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, NoEnvironment);
        options.Hal.Ros2.DiagnosticsPeriod = TimeSpan.FromMilliseconds(milliseconds);

        var result = validator.Validate(Options.DefaultName, options);

        Assert.That(result.Failures, Has.Some.StartsWith("hal.ros2.diagnostics_period: ").And.Contains("is outside 100ms..1m"));
    }

    [Test]
    public void Validate_DiagnosticsTopicWithSpace_NamesTheKey()
    {
        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, NoEnvironment);
        options.Hal.Ros2.DiagnosticsTopic = "/my diagnostics";

        var result = validator.Validate(Options.DefaultName, options);

        Assert.That(result.Failures, Has.Some.StartsWith("hal.ros2.diagnostics_topic: '/my diagnostics' is not a ROS topic name"));
    }

    [Test]
    public void Validate_DefaultOptions_FailsOnEmptyJointList()
    {
        var result = validator.Validate(Options.DefaultName, new AgentOptions());

        Assert.That(result.Failed, Is.True);
        Assert.That(result.Failures, Has.Some.StartsWith("robot.joints: no joints are listed. Fix: "));
    }

    [Test]
    public void Validate_JointCountVersusGains_NamesMissingUnknownAndDuplicateJoints()
    {
        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, NoEnvironment);
        options.Robot.Joints.Add(new JointOptions { Name = "right_knee", PositionMin = -2.5, PositionMax = 0.1 });
        options.Motor.Gains[1].Joint = "left_knee";
        options.Motor.Gains.Add(new JointGainsOptions { Joint = "tail" });

        var result = validator.Validate(Options.DefaultName, options);

        Assert.That(result.Failures, Is.Not.Null);
        Assert.That(result.Failures, Has.Some.Contains("motor.gains: 2 of the 4 joints in robot.joints have no gains entry").And.Contains("left_wheel, right_knee"));
        Assert.That(result.Failures, Has.Some.StartsWith("motor.gains[1].joint: joint 'left_knee' has a second gains entry"));
        Assert.That(result.Failures, Has.Some.StartsWith("motor.gains[3].joint: gains are given for 'tail'"));
    }

    [Test]
    public void Validate_NestedAnnotations_ReportKeyPathAndRange()
    {
        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, NoEnvironment);
        options.Motor.Gains[2].Kd = -1;
        options.Hal.Sim.BaseMass = 0;
        options.Safety.Geofence[1].X = 2e6;

        var result = validator.Validate(Options.DefaultName, options);

        Assert.That(result.Failures, Is.EquivalentTo(NestedRangeFailures));
    }

    [Test]
    public void Validate_BalanceDisabled_DoesNotRequireDriveJoints()
    {
        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, NoEnvironment);
        options.Balance.Enabled = false;
        options.Balance.DriveJoints.Clear();

        var result = validator.Validate(Options.DefaultName, options);

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [Test]
    public void Validate_ContinuousJoint_IgnoresPositionLimits()
    {
        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, NoEnvironment);
        options.Robot.Joints[1].PositionMin = 5;
        options.Robot.Joints[1].PositionMax = -5;
        options.Robot.Joints[1].Home = 100;

        var result = validator.Validate(Options.DefaultName, options);

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }
}
