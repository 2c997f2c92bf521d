using System.Text.Json;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Cli;

[Category("RealTime")]
[NonParallelizable]
public sealed class RunCommandTests
{
    private const int SigTerm = 15;
    // A hypervisor can stall a CI machine's vCPU for milliseconds (seen here: 5 ms). On a robot that trips the
    // overrun safety, as it should; these tests are about rates and the summary, so they tolerate it.
    private static readonly Dictionary<string, string> TolerateVmStalls = new() { ["EDGEAGENT__SAFETY__OVERRUN_LIMIT"] = "200" };

    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-run-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Run_ThreeSecondsOnSim_LoopsAtRateAndSummaryValid()
    {
        string summary = Path.Combine(_dir, "summary.json");
        using var agent = AgentProcess.Start(TolerateVmStalls, "run", "--config", RepoPaths.DefaultConfig, "--duration", "3s", "--summary", summary);

        int exit = agent.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.That(exit, Is.Zero, agent.Stderr + agent.Stdout);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        JsonElement root = doc.RootElement;
        JsonElement motor = root.GetProperty("motor");
        JsonElement balance = root.GetProperty("balance");
        Assert.Multiple(() =>
        {
            Assert.That(motor.GetProperty("rate_hz").GetDouble(), Is.EqualTo(1000.0).Within(2).Percent);
            Assert.That(balance.GetProperty("rate_hz").GetDouble(), Is.EqualTo(100.0).Within(2).Percent);
            Assert.That(motor.GetProperty("ticks").GetInt64(), Is.InRange(2900, 3100));
            Assert.That(balance.GetProperty("ticks").GetInt64(), Is.InRange(290, 310));
            foreach (string field in new[] { "p50_us", "p99_us", "p999_us", "max_us" })
            {
                Assert.That(motor.GetProperty("wakeup_error").GetProperty(field).GetDouble(), Is.GreaterThanOrEqualTo(0), field);
            }

            Assert.That(motor.GetProperty("compute").GetProperty("p99_us").GetDouble(), Is.GreaterThan(0));
            Assert.That(motor.GetProperty("allocated_bytes").GetInt64(), Is.GreaterThanOrEqualTo(0));
            Assert.That(root.GetProperty("safety").GetProperty("state").GetString(), Is.EqualTo("OK"), "the sim robot balanced for 3 s");
            Assert.That(root.GetProperty("safety").GetProperty("final_state").GetString(), Is.EqualTo("SAFE_STOP"), "stopped safely at exit");
            Assert.That(root.GetProperty("safety").GetProperty("trips").GetProperty("tilt").GetInt64(), Is.Zero);
            Assert.That(agent.Stdout, Does.Contain("motor").And.Contain("Hz").And.Contain("safety OK"), "status line");
        });
    }

    [Test]
    public void Run_Sigterm_SafeStopThenExitZero()
    {
        string summary = Path.Combine(_dir, "summary.json");
        using var agent = AgentProcess.Start(TolerateVmStalls, "run", "--config", RepoPaths.DefaultConfig, "--summary", summary);
        Assert.That(agent.WaitForOutput("Loops running", TimeSpan.FromSeconds(30)), Is.True, agent.Stderr + agent.Stdout);

        agent.Signal(SigTerm);
        int exit = agent.WaitForExit(TimeSpan.FromSeconds(30));

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        JsonElement safety = doc.RootElement.GetProperty("safety");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(agent.Stdout, Does.Contain("safe stop"));
            Assert.That(safety.GetProperty("final_state").GetString(), Is.EqualTo("SAFE_STOP"));
            Assert.That(safety.GetProperty("trips").GetProperty("requested").GetInt64(), Is.EqualTo(1));
        });
    }
}
