using System.Text.Json;
using EdgeAgent.Spill;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Spill;

[NonParallelizable]
public sealed class SpillDirectoryLockTests
{
    private const int SigKill = 9;
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-lock-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Acquire_Twice_SecondRefusedNamingTheDirectoryAndThePid()
    {
        using (SpillDirectoryLock first = SpillDirectoryLock.Acquire(_dir))
        {
            var refused = Assert.Throws<IOException>(() => SpillDirectoryLock.Acquire(_dir).Dispose());
            Assert.That(refused!.Message, Does.Contain(_dir).And.Contain($"pid {Environment.ProcessId}").And.Contain("spill.directory"));
        }

        Assert.DoesNotThrow(() => SpillDirectoryLock.Acquire(_dir).Dispose(), "released on dispose");
    }

    [Test]
    [Category("RealTime")]
    public void Run_SecondAgentOnTheSameSpill_RefusedAndTheFirstLosesNothing()
    {
        var env = new Dictionary<string, string> { ["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(_dir, "spill") };
        string summary = Path.Combine(_dir, "first.json");
        using var first = AgentProcess.Start(env, "run", "--config", RepoPaths.DefaultConfig, "--duration", "8s", "--quiet", "--summary", summary);
        Assert.That(first.WaitForOutput("Loops running", TimeSpan.FromSeconds(30)), Is.True, first.Stderr + first.Stdout);

        using var second = AgentProcess.Start(env, "run", "--config", RepoPaths.DefaultConfig, "--duration", "2s", "--quiet");
        int secondExit = second.WaitForExit(TimeSpan.FromSeconds(60));
        int firstExit = first.WaitForExit(TimeSpan.FromSeconds(60));

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        JsonElement telemetry = doc.RootElement.GetProperty("telemetry");
        Assert.Multiple(() =>
        {
            Assert.That(secondExit, Is.EqualTo(1));
            Assert.That(second.Stderr, Does.Contain("is in use by another edge-agent (pid " + first.Pid + ")").And.Contain(Path.Combine(_dir, "spill")));
            Assert.That(firstExit, Is.Zero, first.Stderr);
            Assert.That(telemetry.GetProperty("mode").GetString(), Is.EqualTo("flight_recorder"));
            Assert.That(telemetry.GetProperty("batches_built").GetInt64(), Is.GreaterThanOrEqualTo(5), "8 s at 100 samples a second, 100 a batch");
            Assert.That(telemetry.GetProperty("spill_pending").GetInt64(), Is.EqualTo(telemetry.GetProperty("batches_built").GetInt64()), "every batch of the first agent is in its spill");
            Assert.That(telemetry.GetProperty("spill_dropped").GetInt64(), Is.Zero);
        });
    }

    [Test]
    [Category("RealTime")]
    public void Run_HolderKilledWithSigkill_NextAgentStarts()
    {
        var env = new Dictionary<string, string> { ["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(_dir, "spill") };
        using (var killed = AgentProcess.Start(env, "run", "--config", RepoPaths.DefaultConfig, "--quiet"))
        {
            Assert.That(killed.WaitForOutput("Loops running", TimeSpan.FromSeconds(30)), Is.True, killed.Stderr + killed.Stdout);
            killed.Signal(SigKill);
            killed.WaitForExit(TimeSpan.FromSeconds(30));
        }

        using var next = AgentProcess.Start(env, "run", "--config", RepoPaths.DefaultConfig, "--duration", "1s", "--quiet");
        Assert.That(next.WaitForExit(TimeSpan.FromSeconds(60)), Is.Zero, "the kernel dropped the dead holder's flock: " + next.Stderr);
    }
}
