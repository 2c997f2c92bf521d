using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Hal.Sim;
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
        double kpBefore = parts.Controller.Gains.Kp[0];
        Edit("      kp: 60.0", "      kp: 75.0", firstOnly: true);
        Edit("  tilt_gain: 90.2", "  tilt_gain: 95.0");

        bool applied = reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.True);
            Assert.That(kpBefore, Is.EqualTo(60.0));
            Assert.That(parts.Controller.Gains.Kp[0], Is.EqualTo(75.0));
            Assert.That(parts.Controller.Gains.Kp[1], Is.EqualTo(60.0), "only the first joint was edited");
            Assert.That(reloader.Applied, Is.EqualTo(1));
        });
    }

    [Test]
    public void ReloadNow_InvalidFile_RejectedWholeAndOldGainsKept()
    {
        (ConfigReloader reloader, ControlParts parts) = Build();
        MotorGains before = parts.Controller.Gains;
        Edit("      kp: 60.0", "      kp: 75.0", firstOnly: true);
        Edit("  rate_hz: 1000", "  rate_hz: fast");

        bool applied = reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.False);
            Assert.That(parts.Controller.Gains, Is.SameAs(before), "nothing of a rejected file applies");
            Assert.That(reloader.Rejected, Is.EqualTo(1));
        });
    }

    [Test]
    public void ReloadNow_JointTableChanged_Rejected()
    {
        (ConfigReloader reloader, ControlParts parts) = Build();
        MotorGains before = parts.Controller.Gains;
        File.WriteAllText(_path, File.ReadAllText(_path).Replace("left_hip_yaw", "left_hip_yaw2", StringComparison.Ordinal));

        bool applied = reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.False);
            Assert.That(parts.Controller.Gains, Is.SameAs(before));
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
