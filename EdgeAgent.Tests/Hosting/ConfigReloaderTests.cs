using EdgeAgent.Configuration;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Hal;
using EdgeAgent.Hosting;
using EdgeAgent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Hosting;

public sealed class ConfigReloaderTests
{
    private string _dir = null!;
    private string _path = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("edge-agent-reload-").FullName;
        _path = Path.Combine(_dir, "agent.yaml");
        File.Copy(RepoPaths.DefaultConfig, _path);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void ReloadNow_ValidNewGains_AppliedToTheController()
    {
        (ConfigReloader reloader, ControlParts parts) = Build();
        double kpBefore = parts.Tuning.Current.Motor.Kp[0];
        Edit("      kp: 60.0", "      kp: 75.0", firstOnly: true);
        Edit("  tilt_gain: 90.2", "  tilt_gain: 95.0");

        bool applied = reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.True);
            Assert.That(kpBefore, Is.EqualTo(60.0));
            Assert.That(parts.Tuning.Current.Motor.Kp[0], Is.EqualTo(75.0));
            Assert.That(parts.Tuning.Current.Motor.Kp[1], Is.EqualTo(60.0), "only the first joint was edited");
            Assert.That(parts.Tuning.Current.Balance.TiltGain, Is.EqualTo(95.0));
            Assert.That(parts.Tuning.Current.Version, Is.EqualTo(1));
            Assert.That(reloader.Applied, Is.EqualTo(1));
            Assert.That(reloader.LastResult!.Applied, Is.True);
            Assert.That(reloader.LastResult.Message, Does.Contain("motor.gains[0].kp 60 → 75").And.Contain("balance.tilt_gain 90.2 → 95"));
        });
    }

    [Test]
    public void ReloadNow_SafetyLimitsChanged_AppliedInTheSameSnapshot()
    {
        (ConfigReloader reloader, ControlParts parts) = Build();
        Edit("  max_control_gap: 75ms", "  max_control_gap: 80ms");
        Edit("    overruns: category1", "    overruns: category2");

        bool applied = reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.True);
            Assert.That(parts.Tuning.Current.Safety.MaxControlGapNs, Is.EqualTo(80_000_000));
            Assert.That(parts.Tuning.Current.Safety.CategoryOf(EdgeAgent.Control.Safety.SafetyCause.Overruns), Is.EqualTo(StopCategory.Category2));
        });
    }

    [TestCase("  segment_bytes: 16777216", "  segment_bytes: 65536", "spill.segment_bytes 16777216 → 65536")]
    [TestCase("  rate_hz: 100             # telemetry", "  rate_hz: 50             # telemetry", "sampling.rate_hz 100 → 50")]
    [TestCase("      home: -1.0", "      home: -1.1", "robot.joints[3].home -1 → -1.1")]
    [TestCase("  missed_period_window: 1s", "  missed_period_window: 2s", "safety.missed_period_window 1s → 2s")]
    public void ReloadNow_KeyThatNeedsARestart_RejectedWholeAndNamed(string from, string to, string named)
    {
        (ConfigReloader reloader, ControlParts parts) = Build();
        ControlTuning before = parts.Tuning.Current;
        Edit("      kp: 60.0", "      kp: 75.0", firstOnly: true);
        Edit(from, to, firstOnly: true);

        bool applied = reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.False);
            Assert.That(parts.Tuning.Current, Is.SameAs(before), "the live gain change in the same file is not applied either");
            Assert.That(reloader.Rejected, Is.EqualTo(1));
            Assert.That(reloader.LastResult!.Applied, Is.False);
            Assert.That(reloader.LastResult.Message, Does.Contain("needs a restart").And.Contain(named));
            Assert.That(reloader.LastResult.Message, Does.Not.Contain("motor.gains[0].kp"), "only the keys that need a restart are named");
        });
    }

    [Test]
    public void ReloadNow_UnchangedFile_AppliedWithNoChange()
    {
        (ConfigReloader reloader, ControlParts parts) = Build();
        ControlTuning before = parts.Tuning.Current;

        bool applied = reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.True);
            Assert.That(parts.Tuning.Current, Is.SameAs(before));
            Assert.That(reloader.LastResult!.Message, Is.EqualTo("no change"));
        });
    }

    [Test]
    public void OptionsDiff_EveryOptionProperty_IsClassified()
    {
        // A change to any single key is either live or needs a restart, never silently accepted: flip each
        // scalar of the shipped configuration and check the diff names exactly that key.
        AgentOptions shipped = AgentConfigLoader.Load(_path, new Dictionary<string, string>());
        List<string> keys = EdgeAgent.Configuration.Internal.OptionsDiff.Compare(shipped, AgentConfigLoader.Load(_path, new Dictionary<string, string>()))
            .Select(c => c.Key).ToList();
        Assert.That(keys, Is.Empty, "the same file twice has no change");
        AgentOptions edited = AgentConfigLoader.Load(_path, new Dictionary<string, string> { ["EDGEAGENT__SPILL__COMMIT_BYTES"] = "8192", ["EDGEAGENT__BALANCE__TILT_GAIN"] = "91" });
        var changes = EdgeAgent.Configuration.Internal.OptionsDiff.Compare(shipped, edited);
        Assert.That(changes.Select(c => (c.Key, c.Live)), Is.EquivalentTo(new[] { ("spill.commit_bytes", false), ("balance.tilt_gain", true) }));
    }

    [Test]
    public void ReloadNow_InvalidFile_RejectedWholeAndOldGainsKept()
    {
        (ConfigReloader reloader, ControlParts parts) = Build();
        MotorGains before = parts.Tuning.Current.Motor;
        Edit("      kp: 60.0", "      kp: 75.0", firstOnly: true);
        Edit("  rate_hz: 1000", "  rate_hz: fast");

        bool applied = reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.False);
            Assert.That(parts.Tuning.Current.Motor, Is.SameAs(before), "nothing of a rejected file applies");
            Assert.That(reloader.Rejected, Is.EqualTo(1));
        });
    }

    [Test]
    public void ReloadNow_JointTableChanged_Rejected()
    {
        (ConfigReloader reloader, ControlParts parts) = Build();
        MotorGains before = parts.Tuning.Current.Motor;
        File.WriteAllText(_path, File.ReadAllText(_path).Replace("left_hip_yaw", "left_hip_yaw2", StringComparison.Ordinal));

        bool applied = reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.False);
            Assert.That(parts.Tuning.Current.Motor, Is.SameAs(before));
            Assert.That(reloader.LastResult!.Message, Does.Contain("robot.joints[0].name \"left_hip_yaw\" → \"left_hip_yaw2\""));
        });
    }

    private (ConfigReloader Reloader, ControlParts Parts) Build()
    {
        AgentOptions options = AgentConfigLoader.Load(_path, new Dictionary<string, string>());
        var parts = new ControlParts(options, new SimulatedRobot(HalFactory.SimOptionsFrom(options), new SimulatedClock()));
        var settings = new RunSettings(_path, null, null, TimeSpan.Zero);
        return (new ConfigReloader(parts, options, settings, NullLogger<ConfigReloader>.Instance), parts);
    }

    private void Edit(string from, string to, bool firstOnly = false)
    {
        string text = File.ReadAllText(_path);
        Assert.That(text, Does.Contain(from), "the shipped file changed; update the test");
        int at = text.IndexOf(from, StringComparison.Ordinal);
        text = firstOnly ? string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length)) : text.Replace(from, to, StringComparison.Ordinal);
        File.WriteAllText(_path, text);
    }
}
