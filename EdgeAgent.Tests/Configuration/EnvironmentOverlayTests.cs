using System.Diagnostics.CodeAnalysis;
using EdgeAgent.Configuration;
using EdgeAgent.Control.Safety;
using static EdgeAgent.Tests.Configuration.ConfigTestFiles;

namespace EdgeAgent.Tests.Configuration;

[TestFixture]
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names are Method_Scenario_Expected (STYLE.md).")]
public sealed class EnvironmentOverlayTests
{
    [Test]
    public void LoadFromString_Overrides_ApplyAfterTheFile()
    {
        var environment = new Dictionary<string, string>
        {
            ["ROBOT_ID"] = "robot-042",
            ["CLOUD_ENDPOINT"] = "https://ingest.example.com:8443",
            ["EDGEAGENT__MOTOR__RATE_HZ"] = "500",
            ["EDGEAGENT__MOTOR__GAINS__2__KP"] = "40",
            ["EDGEAGENT__TIMING__SPIN_MARGIN"] = "50us",
            ["edgeagent__safety__stop_actions__tilt"] = "category1",
            ["EDGEAGENT__BALANCE__DRIVE_JOINTS__0"] = "left_wheel",
            ["PATH"] = "/usr/bin",
        };

        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, environment);

        Assert.Multiple(() =>
        {
            Assert.That(options.Robot.Id, Is.EqualTo("robot-042"));
            Assert.That(options.Uplink.Endpoint, Is.EqualTo("https://ingest.example.com:8443"));
            Assert.That(options.Motor.RateHz, Is.EqualTo(500.0));
            Assert.That(options.Motor.Gains[2].Kp, Is.EqualTo(40.0));
            Assert.That(options.Motor.Gains[2].Joint, Is.EqualTo("right_wheel"));
            Assert.That(options.Timing.SpinMargin, Is.EqualTo(TimeSpan.FromMicroseconds(50)));
            Assert.That(options.Safety.StopActions.Tilt, Is.EqualTo(StopCategory.Category1));
        });
    }

    [Test]
    public void LoadFromString_ShortNames_WinOverPrefixedNames()
    {
        var environment = new Dictionary<string, string> { ["EDGEAGENT__ROBOT__ID"] = "from-prefixed", ["ROBOT_ID"] = "from-short" };

        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, environment);

        Assert.That(options.Robot.Id, Is.EqualTo("from-short"));
    }

    [TestCase("EDGEAGENT__MOTOR__RATE_HZ", "fast", "motor.rate_hz", "'fast' is not a number")]
    [TestCase("EDGEAGENT__TIMING__SPIN_MARGIN", "50", "timing.spin_margin", "has no unit")]
    [TestCase("EDGEAGENT__MOTOR__GAINS__7__KP", "40", "motor.gains[7]", "index 7 does not exist")]
    [TestCase("EDGEAGENT__MOTOR__GAINS__X__KP", "40", "motor.gains", "not a list index")]
    [TestCase("EDGEAGENT__MOTOR__RATEHZZ", "500", "motor.ratehzz", "EDGEAGENT__MOTOR__RATE_HZ")]
    [TestCase("EDGEAGENT__MOTR__RATE_HZ", "500", "motr", "EDGEAGENT__MOTOR__RATE_HZ")]
    [TestCase("EDGEAGENT__MOTOR", "500", "motor", "is a section")]
    [TestCase("EDGEAGENT__MOTOR__RATE_HZ__X", "500", "motor.rate_hz", "is a single value")]
    [TestCase("EDGEAGENT__SAFETY__STOP_ACTIONS__TILT", "brake", "safety.stop_actions.tilt", "category0, category1, category2")]
    public void LoadFromString_BadVariable_ErrorNamesTheVariable(string variable, string value, string keyPath, string fragment)
    {
        var environment = new Dictionary<string, string> { [variable] = value };

        AssertOneErrorFromTheVariable(Valid, environment, variable, keyPath, fragment);
    }

    [Test]
    public void LoadFromString_SectionAbsentFromTheFile_TheVariableAddsIt()
    {
        // Valid has no spill section: the overlay adds spill.mode to the tree, the binder binds it as if written.
        var environment = new Dictionary<string, string> { ["EDGEAGENT__SPILL__MODE"] = "always", ["EDGEAGENT__MOTOR__GAINS__0__KD"] = "2.5" };

        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, environment);

        Assert.Multiple(() =>
        {
            Assert.That(options.Spill.Mode, Is.EqualTo(EdgeAgent.Spill.SpillMode.Always));
            Assert.That(options.Motor.Gains[0].Kd, Is.EqualTo(2.5), "a key the entry does not have in the file");
            Assert.That(options.Motor.Gains[0].Kp, Is.EqualTo(60.0), "the entry's other keys stay as the file has them");
            Assert.That(options.Motor.Gains, Has.Count.EqualTo(3));
        });
    }

    [TestCase("EDGEAGENT__SAFETY__GEOFENCE__0__X", "safety.geofence[0]", "add entries to the list in the file first")]
    [TestCase("EDGEAGENT__MOTOR__GAINS__0", "motor.gains[0]", "EDGEAGENT__MOTOR__GAINS__0__JOINT")]
    [TestCase("EDGEAGENT__MOTOR__GAINS", "motor.gains", "EDGEAGENT__MOTOR__GAINS__0__JOINT")]
    [TestCase("EDGEAGENT__BALANCE__DRIVE_JOINTS__0__X", "balance.drive_joints[0]", "end the variable name at __0")]
    [TestCase("EDGEAGENT__MOTOR____RATE_HZ", "motor.", "empty segment")]
    public void LoadFromString_VariableOfTheWrongShape_ErrorNamesTheVariable(string variable, string keyPath, string fragment)
    {
        // The geofence case drops the list from the file first: the environment cannot add list entries.
        string yaml = variable.Contains("GEOFENCE", StringComparison.Ordinal)
            ? ValidWith("  geofence:\n    - {x: -10, y: -10}\n    - {x: 10, y: -10}\n    - {x: 10, y: 10}\n", string.Empty)
            : Valid;
        var environment = new Dictionary<string, string> { [variable] = "5" };

        AssertOneErrorFromTheVariable(yaml, environment, variable, keyPath, fragment);
    }

    [Test]
    public void LoadFromString_ValidationOfAKeyOnlyTheEnvironmentSets_NamesTheVariable()
    {
        var environment = new Dictionary<string, string> { ["EDGEAGENT__SAMPLING__RING_CAPACITY"] = "100" };

        var exception = Assert.Throws<AgentConfigException>(() => AgentConfigLoader.LoadFromString(Valid, SourceName, environment));

        Assert.That(exception.Errors.Select(e => (e.Source, e.KeyPath)), Is.EqualTo(new[] { ("environment variable EDGEAGENT__SAMPLING__RING_CAPACITY", "sampling.ring_capacity") }), exception.Message);
    }

    [Test]
    public void LoadFromString_OverrideFailsValidation_ErrorNamesTheVariable()
    {
        var environment = new Dictionary<string, string> { ["CLOUD_ENDPOINT"] = "ingest:443", ["EDGEAGENT__TIMING__MOTOR_PRIORITY"] = "120" };

        var exception = Assert.Throws<AgentConfigException>(() => AgentConfigLoader.LoadFromString(Valid, SourceName, environment));

        Assert.That(exception.Errors.Select(e => (e.Source, e.KeyPath)), Is.EquivalentTo(new[]
        {
            ("environment variable CLOUD_ENDPOINT", "uplink.endpoint"),
            ("environment variable EDGEAGENT__TIMING__MOTOR_PRIORITY", "timing.motor_priority"),
        }));
    }

    [Test]
    public void Load_NullEnvironment_ReadsTheProcessEnvironment()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edge-agent-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Valid);
        const string Variable = "EDGEAGENT__HAL__SIM__SEED";
        string? previous = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, "7");
        try
        {
            var options = AgentConfigLoader.Load(path);

            Assert.That(options.Hal.Sim.Seed, Is.EqualTo(7));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, previous);
            File.Delete(path);
        }
    }

    private static void AssertOneErrorFromTheVariable(string yaml, Dictionary<string, string> environment, string variable, string keyPath, string fragment)
    {
        var exception = Assert.Throws<AgentConfigException>(() => AgentConfigLoader.LoadFromString(yaml, SourceName, environment));

        Assert.That(exception.Errors, Has.Count.EqualTo(1), exception.Message);
        var error = exception.Errors[0];
        Assert.Multiple(() =>
        {
            Assert.That(error.Source, Is.EqualTo("environment variable " + variable));
            Assert.That(error.KeyPath, Is.EqualTo(keyPath));
            Assert.That(error.Problem + " | " + error.Fix, Does.Contain(fragment));
            Assert.That(error.Line, Is.Null);
        });
    }
}
