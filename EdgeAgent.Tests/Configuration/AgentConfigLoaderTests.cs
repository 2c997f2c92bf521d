using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using EdgeAgent.Configuration;
using EdgeAgent.Configuration.Internal;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Control;
using EdgeAgent.Hal;
using EdgeAgent.Uplink;
using static EdgeAgent.Tests.Configuration.ConfigTestFiles;

namespace EdgeAgent.Tests.Configuration;

[TestFixture]
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names are Method_Scenario_Expected (STYLE.md).")]
public sealed partial class AgentConfigLoaderTests
{
    private static readonly string[] Sides = ["left", "right"];

    private static readonly string[] ShippedJointNames =
    [
        "left_hip_yaw", "left_hip_roll", "left_hip_pitch", "left_knee", "left_ankle", "left_wheel",
        "right_hip_yaw", "right_hip_roll", "right_hip_pitch", "right_knee", "right_ankle", "right_wheel",
    ];

    private static readonly string[] Wheels = ["left_wheel", "right_wheel"];

    [Test]
    public void Load_ShippedConfig_HasNoErrorsAndTheDocumentedValues()
    {
        var options = AgentConfigLoader.Load(ShippedConfigPath(), NoEnvironment);

        Assert.Multiple(() =>
        {
            Assert.That(options.Robot.Id, Is.EqualTo("robot-001"));
            Assert.That(options.Robot.Joints.Select(j => j.Name), Is.EqualTo(ShippedJointNames));
            Assert.That(options.Hal.Driver, Is.EqualTo(HalDriver.Sim));
            Assert.That(options.Motor.RateHz, Is.EqualTo(1000.0));
            Assert.That(options.Motor.Gains.Select(g => g.Joint), Is.EqualTo(options.Robot.Joints.Select(j => j.Name)));
            Assert.That(options.Balance.DriveJoints, Is.EqualTo(Wheels));
            Assert.That(options.Uplink.Endpoint, Is.Empty);
            Assert.That(options.Safety.Geofence.Select(p => (p.X, p.Y)), Is.EqualTo(new[] { (-10.0, -10.0), (10.0, -10.0), (10.0, 10.0), (-10.0, 10.0) }));
        });
    }

    [TestCase("hip_yaw", -0.6, 0.6, 0.0)]
    [TestCase("hip_roll", -0.5, 0.5, 0.0)]
    [TestCase("hip_pitch", -1.5, 1.5, 0.5)]
    [TestCase("knee", -2.5, 0.1, -1.0)]
    [TestCase("ankle", -1.2, 1.2, 0.5)]
    public void Load_ShippedConfig_LegJointLimitsAndGains(string joint, double min, double max, double home)
    {
        var options = AgentConfigLoader.Load(ShippedConfigPath(), NoEnvironment);

        foreach (string side in Sides)
        {
            var limits = options.Robot.Joints.Single(j => j.Name == $"{side}_{joint}");
            var gains = options.Motor.Gains.Single(g => g.Joint == $"{side}_{joint}");
            Assert.Multiple(() =>
            {
                Assert.That((limits.Continuous, limits.PositionMin, limits.PositionMax, limits.Home), Is.EqualTo((false, min, max, home)));
                Assert.That((limits.VelocityMax, limits.EffortMax), Is.EqualTo((20.0, 40.0)));
                Assert.That(
                    (gains.Kp, gains.Ki, gains.Kd, gains.IntegralLimit, gains.FeedForwardVelocity, gains.FeedForwardAcceleration, gains.FeedForwardFriction),
                    Is.EqualTo((60.0, 20.0, 2.0, 5.0, 0.05, 0.02, 0.2)));
            });
        }
    }

    [Test]
    public void Load_ShippedConfig_WheelsAreContinuousWithWheelGains()
    {
        var options = AgentConfigLoader.Load(ShippedConfigPath(), NoEnvironment);

        foreach (string side in Sides)
        {
            var wheel = options.Robot.Joints.Single(j => j.Name == $"{side}_wheel");
            var gains = options.Motor.Gains.Single(g => g.Joint == $"{side}_wheel");
            Assert.Multiple(() =>
            {
                Assert.That((wheel.Continuous, wheel.VelocityMax, wheel.EffortMax), Is.EqualTo((true, 60.0, 20.0)));
                Assert.That(
                    (gains.Kp, gains.Ki, gains.Kd, gains.IntegralLimit, gains.FeedForwardVelocity, gains.FeedForwardAcceleration, gains.FeedForwardFriction),
                    Is.EqualTo((0.0, 0.0, 1.5, 0.0, 0.05, 0.08, 0.2)));
            });
        }
    }

    [Test]
    public void Load_ShippedConfig_SectionsHoldTheClassDefaults()
    {
        var options = AgentConfigLoader.Load(ShippedConfigPath(), NoEnvironment);

        Assert.Multiple(() =>
        {
            AssertDefaults(options.Hal.Sim, new SimOptions(), "hal.sim");
            AssertDefaults(options.Balance, new BalanceOptions(), "balance", nameof(BalanceOptions.DriveJoints));
            AssertDefaults(options.Timing, new TimingOptions(), "timing");
            AssertDefaults(options.Safety, new SafetyOptions(), "safety", nameof(SafetyOptions.Geofence), nameof(SafetyOptions.StopActions));
            AssertDefaults(options.Safety.StopActions, new StopActionsOptions(), "safety.stop_actions");
            AssertDefaults(options.Uplink, new UplinkOptions(), "uplink");
        });
    }

    [Test]
    public void Load_ShippedConfig_EveryKeyIsPresent()
    {
        var context = new LoadContext("agent.yaml");
        var root = ConfigYamlReader.Read(File.ReadAllText(ShippedConfigPath()), context);
        Assert.That(root, Is.Not.Null);

        var missing = new List<string>();
        CollectMissingKeys(root!, typeof(AgentOptions), string.Empty, missing);

        Assert.That(missing, Is.Empty, "keys missing from config/agent.yaml");
    }

    [Test]
    public void Load_ShippedConfig_EveryKeyLineHasAComment()
    {
        // Section keys (2 spaces) and hal.sim keys (4 spaces) carry an inline comment; the keys of joint and
        // gains entries (6 spaces) are documented in the comment block above their list.
        var uncommented = File.ReadAllLines(ShippedConfigPath())
            .Select((text, index) => (text, number: index + 1))
            .Where(l => ValueKeyLine().IsMatch(l.text) && !l.text.Contains('#', StringComparison.Ordinal))
            .Select(l => $"{l.number}: {l.text}");

        Assert.That(uncommented, Is.Empty);
    }

    [Test]
    public void LoadFromString_SeveralErrors_ReportsThemAll()
    {
        string yaml = ValidWith("rate_hz: 1000", "rate_hz: fast")
            .Replace("motor_priority: 80", "motor_priority: 120", StringComparison.Ordinal)
            .Replace("driver: sim", "drivr: sim", StringComparison.Ordinal)
            .Replace("battery_critical: 0.03", "battery_critical: 0.5", StringComparison.Ordinal)
            .Replace("- joint: right_wheel", "- joint: rear_wheel", StringComparison.Ordinal);

        var exception = Assert.Throws<AgentConfigException>(() => AgentConfigLoader.LoadFromString(yaml, SourceName, NoEnvironment));

        Assert.That(exception.Errors.Select(e => (e.KeyPath, e.Line)), Is.SupersetOf(new (string, int?)[]
        {
            ("motor.rate_hz", 17), ("timing.motor_priority", 31), ("hal.drivr", 13), ("safety.battery_critical", 35),
            ("motor.gains[2].joint", 23), ("motor.gains", 18),
        }));
        Assert.That(exception.Message.Split('\n'), Has.Length.EqualTo(exception.Errors.Count));
    }

    [Test]
    public void LoadFromString_BindingError_DoesNotAlsoReportValidationOfTheSameKey()
    {
        string yaml = ValidWith("  joints:\n", "  joints: 3\n  old_joints:\n");

        var exception = Assert.Throws<AgentConfigException>(() => AgentConfigLoader.LoadFromString(yaml, SourceName, NoEnvironment));

        Assert.That(exception.Errors.Count(e => e.KeyPath == "robot.joints"), Is.EqualTo(1), exception.Message);
    }

    [Test]
    public void LoadFromString_KeysNotInFile_KeepClassDefaults()
    {
        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, NoEnvironment);

        Assert.Multiple(() =>
        {
            Assert.That(options.Timing.TimerSlack, Is.EqualTo(TimeSpan.FromMicroseconds(1)));
            Assert.That(options.Motor.Gains[0].IntegralLimit, Is.EqualTo(5.0));
            Assert.That(options.Robot.Joints[1].VelocityMax, Is.EqualTo(AgentDefaults.JointVelocityMax));
            Assert.That(options.Hal.Sim.BaseMass, Is.EqualTo(12.0));
        });
    }

    [TestCase("250us", 2500L)]
    [TestCase("0.25ms", 2500L)]
    [TestCase("2ms", 20000L)]
    [TestCase("1.5s", 15000000L)]
    [TestCase("1m", 600000000L)]
    public void LoadFromString_Duration_ParsesUnits(string text, long ticks)
    {
        var options = AgentConfigLoader.LoadFromString(ValidWith("rest_time: 1s", "rest_time: " + text), SourceName, NoEnvironment);

        Assert.That(options.Safety.RestTime, Is.EqualTo(TimeSpan.FromTicks(ticks)));
    }

    [Test]
    public void LoadFromString_EnumsAndCaseInsensitiveKeys_Bind()
    {
        string yaml = ValidWith("driver: sim", "Driver: ros2").Replace("stop_actions: {overruns: category2}", "stopactions: {Overruns: category0}", StringComparison.Ordinal);

        var options = AgentConfigLoader.LoadFromString(yaml, SourceName, NoEnvironment);

        Assert.That((options.Hal.Driver, options.Safety.StopActions.Overruns), Is.EqualTo((HalDriver.Ros2, StopCategory.Category0)));
    }

    [Test]
    public void Load_MissingFile_OneErrorWithPathAndFix()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edge-agent-missing-{Guid.NewGuid():N}.yaml");

        var exception = Assert.Throws<AgentConfigException>(() => AgentConfigLoader.Load(path, NoEnvironment));

        Assert.That(exception.Errors, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(exception.Errors[0].Source, Is.EqualTo(path));
            Assert.That(exception.Errors[0].KeyPath, Is.EqualTo("(root)"));
            Assert.That(exception.Errors[0].Problem, Does.Contain("does not exist"));
            Assert.That(exception.Errors[0].Fix, Does.Contain("agent.yaml"));
        });
    }

    [Test]
    public void Load_FileWithError_SourceIsFilePathLineColumn()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edge-agent-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, ValidWith("rate_hz: 1000", "rate_hz: abc"));
        try
        {
            var exception = Assert.Throws<AgentConfigException>(() => AgentConfigLoader.Load(path, NoEnvironment));

            Assert.That(exception.Message, Is.EqualTo($"{path}:17:12: motor.rate_hz: 'abc' is not a number. Fix: write a number such as 1000 (use '.' for decimals)"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertDefaults(object actual, object expected, string path, params string[] skip)
    {
        foreach (var property in actual.GetType().GetProperties().Where(p => !skip.Contains(p.Name)))
        {
            Assert.That(property.GetValue(actual), Is.EqualTo(property.GetValue(expected)), $"{path}.{ConfigKeys.ToSnakeCase(property.Name)}");
        }
    }

    private static void CollectMissingKeys(MappingNode mapping, Type type, string path, List<string> missing)
    {
        var present = mapping.Entries.Select(e => ((ScalarNode)e.Key).Value).ToHashSet(StringComparer.Ordinal);
        foreach (var property in ConfigKeys.Properties(type))
        {
            string key = ConfigKeys.ToSnakeCase(property.Name);
            string keyPath = ConfigPath.Child(path, key);
            if (!present.Contains(key))
            {
                missing.Add(keyPath);
                continue;
            }

            var value = mapping.Entries.First(e => ((ScalarNode)e.Key).Value == key).Value;
            if (ConfigKeys.IsSection(property.PropertyType) && value is MappingNode section)
            {
                CollectMissingKeys(section, property.PropertyType, keyPath, missing);
            }
            else if (ConfigKeys.IsList(property.PropertyType, out var element) && ConfigKeys.IsSection(element) && value is SequenceNode list)
            {
                for (int i = 0; i < list.Items.Count; i++)
                {
                    CollectMissingKeys((MappingNode)list.Items[i], element, ConfigPath.Index(keyPath, i), missing);
                }
            }
        }
    }

    [GeneratedRegex(@"^( {2}| {4})[a-z_]+:\s*\S")]
    private static partial Regex ValueKeyLine();
}
