using System.Text.Json;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Cli;

[Category("RealTime")]
[NonParallelizable]
public sealed class RunCommandTests
{
    private const int SigTerm = 15;
    private const int ControlledStopSettle = 250;
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-run-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Run_ThreeSecondsOnSim_LoopsAtRateAndSummaryValid()
    {
        string summary = Path.Combine(_dir, "summary.json");
        using var agent = AgentProcess.Start("run", "--config", RepoPaths.DefaultConfig, "--duration", "3s", "--summary", summary);

        int exit = agent.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.That(exit, Is.Zero, agent.Stderr + agent.Stdout);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        JsonElement root = doc.RootElement;
        JsonElement motor = root.GetProperty("motor");
        JsonElement balance = root.GetProperty("balance");
        Assert.Multiple(() =>
        {
            // Loose bounds: a loaded 2-core VM stalls for milliseconds, now and then for 50-100 ms; timing quality is
            // a benchmark, not a test. A loop at the wrong rate (half, double) still fails.
            Assert.That(motor.GetProperty("rate_hz").GetDouble(), Is.EqualTo(1000.0).Within(15).Percent);
            Assert.That(balance.GetProperty("rate_hz").GetDouble(), Is.EqualTo(100.0).Within(15).Percent);
            // The loops run for the 3 s and then through the shutdown stop (category 1: settle, lower, torque off).
            double seconds = root.GetProperty("duration_s").GetDouble();
            Assert.That(seconds, Is.GreaterThan(3.0));
            Assert.That(motor.GetProperty("ticks").GetInt64(), Is.EqualTo(seconds * 1000).Within(15).Percent);
            Assert.That(balance.GetProperty("ticks").GetInt64(), Is.EqualTo(seconds * 100).Within(15).Percent);
            // The percentiles are of one measured distribution: ordered, and a real clock never wakes exactly on time.
            double[] wake = [.. new[] { "p50_us", "p99_us", "p999_us", "max_us" }.Select(f => motor.GetProperty("wakeup_error").GetProperty(f).GetDouble())];
            Assert.That(wake, Is.Ordered, "p50 <= p99 <= p99.9 <= max");
            Assert.That(wake[^1], Is.GreaterThan(0), "the worst wake-up was measured");

            Assert.That(motor.GetProperty("compute").GetProperty("p99_us").GetDouble(), Is.GreaterThan(0));
            Assert.That(motor.GetProperty("allocated_bytes").GetInt64(), Is.Zero, "the motor loop allocates nothing after its warm-up");
            Assert.That(motor.GetProperty("compute").GetProperty("over_20us").GetInt64(), Is.InRange(0, motor.GetProperty("ticks").GetInt64()));
            // The loop sleeps once a tick: clock_nanosleep is a voluntary switch, read from the thread's own getrusage.
            Assert.That(motor.GetProperty("thread").GetProperty("voluntary_switches").GetInt64(), Is.GreaterThan(100), "the motor thread's counters are its own, after the warm-up");
            Assert.That(root.GetProperty("safety").GetProperty("state").GetString(), Is.EqualTo("OK"), "the sim robot balanced for 3 s; safety: " + root.GetProperty("safety").GetRawText());
            Assert.That(root.GetProperty("safety").GetProperty("final_state").GetString(), Is.EqualTo("SAFE_STOP"), "stopped safely at exit");
            Assert.That(root.GetProperty("safety").GetProperty("trips").GetProperty("tilt").GetInt64(), Is.Zero);
            Assert.That(agent.Stdout, Does.Contain("motor").And.Contain("Hz").And.Contain("safety OK"), "status line");
        });
    }

    [Test]
    public void Run_Sigterm_SafeStopThenExitZero()
    {
        string summary = Path.Combine(_dir, "summary.json");
        using var agent = AgentProcess.Start("run", "--config", RepoPaths.DefaultConfig, "--summary", summary);
        Assert.That(agent.WaitForOutput("Loops running", TimeSpan.FromSeconds(30)), Is.True, agent.Stderr + agent.Stdout);

        agent.Signal(SigTerm);
        int exit = agent.WaitForExit(TimeSpan.FromSeconds(30));

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        JsonElement safety = doc.RootElement.GetProperty("safety");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(agent.Stdout, Does.Contain("shutdown stop done (category1, ended torque_off"));
            Assert.That(safety.GetProperty("final_state").GetString(), Is.EqualTo("SAFE_STOP"));
            Assert.That(safety.GetProperty("trips").GetProperty("requested").GetInt64(), Is.EqualTo(1));
            Assert.That(safety.GetProperty("stop_phase").GetString(), Is.EqualTo("torque_off"), "SIGTERM: category 1, at rest, lowered, torque off");
            Assert.That(safety.GetProperty("escalations").GetProperty("timeout").GetInt64(), Is.Zero);
            Assert.That(safety.GetProperty("escalations").GetProperty("second_fault").GetInt64(), Is.Zero);
            Assert.That(safety.GetProperty("safe_writes").GetInt64(), Is.GreaterThanOrEqualTo(5));
            Assert.That(safety.GetProperty("max_tilt_deg").GetDouble(), Is.GreaterThan(0).And.LessThan(10), "upright through the run and the stop (limit 25°)");
            Assert.That(safety.GetProperty("shutdown_stop_ms").GetDouble(), Is.GreaterThan(ControlledStopSettle + 1000), "settle, then the 1.5 s lowering");
        });
    }
}
