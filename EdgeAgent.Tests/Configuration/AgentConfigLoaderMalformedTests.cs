using System.Diagnostics.CodeAnalysis;
using EdgeAgent.Configuration;
using static EdgeAgent.Tests.Configuration.ConfigTestFiles;

namespace EdgeAgent.Tests.Configuration;

/// <summary>Each malformed file names the key, the line and a problem or fix a technician can act on.</summary>
[TestFixture]
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names are Method_Scenario_Expected (STYLE.md).")]
public sealed class AgentConfigLoaderMalformedTests
{
    private static IEnumerable<TestCaseData> MalformedCases()
    {
        static TestCaseData Case(string name, string yaml, string keyPath, int line, string fragment) =>
            new TestCaseData(yaml, keyPath, line, fragment).SetName("LoadFromString_" + name + "_ReportsKeyLineAndFix");

        // YAML syntax
        yield return Case("TabIndentation", ValidWith("  rate_hz: 1000", "\trate_hz: 1000"), "(root)", 17, "tab");
        yield return Case("UnclosedQuote", ValidWith("id: test-bot", "id: \"test-bot"), "(root)", 2, "closing quote");
        yield return Case("UnclosedBracket", ValidWith("[left_wheel, right_wheel]", "[left_wheel, right_wheel"), "(root)", 27, "not closed with ']'");
        yield return Case("UnclosedBrace", ValidWith("{x: 10, y: 10}", "{x: 10, y: 10"), "(root)", 40, "not closed with '}'");
        yield return Case("EmptyFile", string.Empty, "(root)", 1, "empty");
        yield return Case("OnlyComments", "# nothing here\n", "(root)", 1, "empty");
        yield return Case("RootIsList", "- robot\n- motor\n", "(root)", 1, "a list");

        // Keys
        yield return Case("UnknownTopLevelSection", ValidWith("uplink:", "uplnk:"), "uplnk", 41, "did you mean 'uplink'?");
        yield return Case("UnknownNestedKey", ValidWith("rate_hz: 1000", "rate_hzz: 1000"), "motor.rate_hzz", 17, "did you mean 'rate_hz'?");
        yield return Case("UnknownKeyInListItem", ValidWith("kp: 60", "kpp: 60"), "motor.gains[0].kpp", 20, "did you mean 'kp'?");
        yield return Case("DuplicateKey", ValidWith("  rate_hz: 1000\n", "  rate_hz: 1000\n  rate_hz: 500\n"), "motor.rate_hz", 18, "appears twice");

        // Types and shapes
        yield return Case("StringForNumber", ValidWith("rate_hz: 1000", "rate_hz: abc"), "motor.rate_hz", 17, "'abc' is not a number");
        yield return Case("FractionForWholeNumber", ValidWith("motor_priority: 80", "motor_priority: 2.5"), "timing.motor_priority", 31, "not a whole number");
        yield return Case("MappingForScalar", ValidWith("motor_priority: 80", "motor_priority:\n    value: 80"), "timing.motor_priority", 31, "a section");
        yield return Case("ListForMapping", ValidWith("    seed: 42", "    - seed: 42"), "hal.sim", 14, "a list ('- ' items)");
        yield return Case("ScalarForList", ValidWith("[left_wheel, right_wheel]", "left_wheel"), "balance.drive_joints", 27, "is a list");
        yield return Case("NullForNumber", ValidWith("rate_hz: 1000", "rate_hz:"), "motor.rate_hz", 17, "has no value");
        yield return Case("BadBool", ValidWith("continuous: true\n    - name: right_wheel", "continuous: yes\n    - name: right_wheel"), "robot.joints[1].continuous", 9, "true or false");
        yield return Case("BadEnumDriver", ValidWith("driver: sim", "driver: gazebo"), "hal.driver", 13, "sim, ros2");
        yield return Case("BadEnumStopCategory", ValidWith("{overruns: category2}", "{overruns: brake}"), "safety.stop_actions.overruns", 33, "category0, category1, category2");
        yield return Case("DurationWithoutUnit", ValidWith("spin_margin: 100us", "spin_margin: 100"), "timing.spin_margin", 30, "100us");
        yield return Case("DurationBadUnit", ValidWith("spin_margin: 100us", "spin_margin: 100 parsecs"), "timing.spin_margin", 30, "is not a duration");
        yield return Case("NaN", ValidWith("kp: 60", "kp: .nan"), "motor.gains[0].kp", 20, "not a finite number");
        yield return Case("Infinity", ValidWith("battery_low: 0.15", "battery_low: .inf"), "safety.battery_low", 34, "not a finite number");

        // Ranges and patterns
        yield return Case("NegativeRate", ValidWith("rate_hz: 1000", "rate_hz: -5"), "motor.rate_hz", 17, "between 10 and 10000");
        yield return Case("PriorityTooHigh", ValidWith("motor_priority: 80", "motor_priority: 120"), "timing.motor_priority", 31, "between 0 and 99");
        yield return Case("BatteryLowAboveOne", ValidWith("battery_low: 0.15", "battery_low: 1.5"), "safety.battery_low", 34, "between 0 and 1");
        yield return Case("BadRobotId", ValidWith("id: test-bot", "id: \"test bot!\""), "robot.id", 2, "1-64 characters");
        yield return Case("JointNameTooLong", ValidWith("- name: left_knee", "- name: " + new string('k', 300)), "robot.joints[0].name", 4, "at most 256 characters");
        yield return Case("JointNameControlChar", ValidWith("- name: left_knee", "- name: \"left\\tknee\""), "robot.joints[0].name", 4, "control character");
        yield return Case("EmptyJointName", ValidWith("- name: left_knee", "- name: \"\""), "robot.joints[0].name", 4, "required");

        // Cross-field rules
        yield return Case("EmptyJointList", ValidWith("  joints:\n", "  joints: []\n  old_joints:\n"), "robot.joints", 3, "no joints");
        yield return Case("DuplicateJointNames", ValidWith("- name: right_wheel", "- name: left_wheel"), "robot.joints[2].name", 10, "used twice");
        yield return Case("GainsMissingForJoint", ValidWith("    - joint: right_wheel\n      kd: 1.5\n", string.Empty), "motor.gains", 18, "right_wheel");
        yield return Case("GainsForUnknownJoint", ValidWith("- joint: left_knee", "- joint: left_kne"), "motor.gains[0].joint", 19, "'left_knee'");
        yield return Case("DuplicateGains", ValidWith("- joint: right_wheel", "- joint: left_wheel"), "motor.gains[2].joint", 23, "second gains entry");
        yield return Case("DriveJointNotContinuous", ValidWith("[left_wheel, right_wheel]", "[left_wheel, left_knee]"), "balance.drive_joints[1]", 27, "not a continuous joint");
        yield return Case("DriveJointUnknown", ValidWith("[left_wheel, right_wheel]", "[left_wheel, rear_wheel]"), "balance.drive_joints[1]", 27, "not a joint in robot.joints");
        yield return Case("OneDriveJoint", ValidWith("[left_wheel, right_wheel]", "[left_wheel]"), "balance.drive_joints", 27, "exactly 2");
        yield return Case("RateNotMultiple", ValidWith("  rate_hz: 100\n", "  rate_hz: 300\n"), "balance.rate_hz", 26, "250 or 200");
        yield return Case("BalanceRateAboveMotor", ValidWith("  rate_hz: 100\n", "  rate_hz: 1500\n"), "balance.rate_hz", 26, "not below motor.rate_hz");
        yield return Case("SpinMarginNotBelowPeriod", ValidWith("spin_margin: 100us", "spin_margin: 1ms"), "timing.spin_margin", 30, "motor period");
        yield return Case("PositionMinNotBelowMax", ValidWith("position_max: 0.1", "position_max: -3.0"), "robot.joints[0].position_min", 5, "not below its position_max");
        yield return Case("HomeOutsideLimits", ValidWith("home: -1.0", "home: 1.0"), "robot.joints[0].home", 7, "set home between -2.5 and 0.1");
        yield return Case("BatteryCriticalNotBelowLow", ValidWith("battery_critical: 0.03", "battery_critical: 0.2"), "safety.battery_critical", 35, "below battery_low");
        yield return Case("GeofenceTwoPoints", ValidWith("    - {x: 10, y: 10}\n", string.Empty), "safety.geofence", 37, "at least 3");
        yield return Case("GeofenceNoArea", ValidWith("{x: 10, y: 10}", "{x: 0, y: -10}"), "safety.geofence", 37, "no area");
        yield return Case("EndpointNotHttp", ValidWith("endpoint: \"\"", "endpoint: ftp://ingest.example.com"), "uplink.endpoint", 42, "http:// or https://");
        yield return Case("EndpointRelative", ValidWith("endpoint: \"\"", "endpoint: ingest.example.com"), "uplink.endpoint", 42, "https://ingest.example.com:443");
        yield return Case("MaxControlGapZero", ValidWith("rest_time: 1s", "max_control_gap: 0s"), "safety.max_control_gap", 36, "outside 1ms..10s");
        yield return Case("MaxControlGapUnderFivePeriods", ValidWith("rest_time: 1s", "max_control_gap: 3ms"), "safety.max_control_gap", 36, "less than 5 motor periods at motor.rate_hz 1000");
        yield return Case("MissedWindowUnderHundredPeriods", ValidWith("rest_time: 1s", "missed_period_window: 50ms"), "safety.missed_period_window", 36, "fewer than 100 motor periods");
        yield return Case("TiltFilterZero", ValidWith("tilt_filter_time_constant: 200ms", "tilt_filter_time_constant: 0ms"), "balance.tilt_filter_time_constant", 28, "positive");
    }

    [Test]
    public void LoadFromString_ValidBase_Loads()
    {
        var options = AgentConfigLoader.LoadFromString(Valid, SourceName, NoEnvironment);

        Assert.That(options.Robot.Joints, Has.Count.EqualTo(3));
    }

    [TestCaseSource(nameof(MalformedCases))]
    public void LoadFromString_Malformed_ReportsKeyLineAndFix(string yaml, string keyPath, int line, string fragment)
    {
        var exception = Assert.Throws<AgentConfigException>(() => AgentConfigLoader.LoadFromString(yaml, SourceName, NoEnvironment));

        var error = exception.Errors.FirstOrDefault(e => e.KeyPath == keyPath);
        Assert.That(error, Is.Not.Null, () => $"no error for '{keyPath}'; got:\n{exception.Message}");
        Assert.Multiple(() =>
        {
            Assert.That(error!.Line, Is.EqualTo(line), exception.Message);
            Assert.That(error.Source, Does.StartWith($"{SourceName}:{line}:"));
            Assert.That(error.Problem + " | " + error.Fix, Does.Contain(fragment), exception.Message);
            Assert.That(error.ToString(), Is.EqualTo($"{error.Source}: {keyPath}: {error.Problem}. Fix: {error.Fix}"));
            Assert.That(error.Fix, Is.Not.Empty);
        });
    }
}
