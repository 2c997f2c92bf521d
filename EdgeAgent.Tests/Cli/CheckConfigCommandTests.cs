using EdgeAgent.Cli;
using EdgeAgent.Configuration;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Cli;

[NonParallelizable]
public sealed class CheckConfigCommandTests
{
    private string _dir = null!;
    private TextWriter _stderr = null!;
    private StringWriter _captured = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("edge-agent-cli-").FullName;
        _stderr = Console.Error;
        _captured = new StringWriter();
        Console.SetError(_captured);
    }

    [TearDown]
    public void TearDown()
    {
        Console.SetError(_stderr);
        _captured.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void CheckConfig_ShippedFile_ExitZero()
    {
        int exit = AgentCli.Create().Parse(["check-config", RepoPaths.DefaultConfig]).Invoke();

        Assert.That(exit, Is.Zero, _captured.ToString());
    }

    [Test]
    public void CheckConfig_BadFile_ExitConfigWithFileLineKeyAndFix()
    {
        string bad = WriteBad();

        int exit = AgentCli.Create().Parse(["check-config", bad]).Invoke();

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(AgentDefaults.ExitConfig));
            Assert.That(_captured.ToString(), Does.Contain(bad + ":").And.Contain("motor.rate_hz").And.Contain("Fix:"));
            Assert.That(_captured.ToString(), Does.Contain("a running agent keeps its configuration").And.Not.Contain("nothing was started"), "check-config starts nothing: it is what `systemctl reload` runs");
        });
    }

    [Test]
    public void Run_BadFile_ExitConfigAndNothingStarts()
    {
        string bad = WriteBad();

        int exit = AgentCli.Create().Parse(["run", "--config", bad, "--duration", "1s"]).Invoke();

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(AgentDefaults.ExitConfig));
            Assert.That(_captured.ToString(), Does.Contain("nothing was started"));
        });
    }

    [Test]
    public void Run_BadDuration_ExitTwoWithFix()
    {
        int exit = AgentCli.Create().Parse(["run", "--config", RepoPaths.DefaultConfig, "--duration", "soon"]).Invoke();

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(_captured.ToString(), Does.Contain("--duration 'soon'").And.Contain("Fix:"));
        });
    }

    private string WriteBad()
    {
        string path = Path.Combine(_dir, "bad.yaml");
        string text = File.ReadAllText(RepoPaths.DefaultConfig);
        int at = text.IndexOf("  rate_hz: 1000", StringComparison.Ordinal);
        File.WriteAllText(path, string.Concat(text.AsSpan(0, at), "  rate_hz: fast", text.AsSpan(at + "  rate_hz: 1000".Length)));
        return path;
    }
}
