using System.Text.Json;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Hal.Ros2.EndToEnd;

/// <summary>
/// Two real processes on one machine, talking ROS 2 over Cyclone DDS on loopback: `simulate --ros2` (the
/// physics robot as a ROS 2 robot) and `run` with `hal.driver: ros2` (the agent closing its loops over DDS).
/// </summary>
[Category("Stress")]
[NonParallelizable]
public sealed class Ros2EndToEndTests
{
    private const int SigKill = 9;
    private string _dir = null!;
    private Dictionary<string, string> _env = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("edge-agent-ros2-").FullName;
        _env = new Dictionary<string, string>
        {
            ["CYCLONEDDS_URI"] = "file://" + Path.Combine(RepoPaths.Root, "config", "cyclonedds.xml"),
            ["ROS_DOMAIN_ID"] = ((Environment.ProcessId % 100) + 101).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["EDGEAGENT__HAL__DRIVER"] = "ros2",
            ["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(_dir, "spill"),
            ["EDGEAGENT__SAFETY__OVERRUN_LIMIT"] = "200",
        };
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Run_OverDdsAgainstSimulatedRos2Robot_BalancesAtRate()
    {
        using var robot = AgentProcess.Start(_env, "simulate", "--ros2", "--config", RepoPaths.DefaultConfig, "--duration", "20s");
        string summary = Path.Combine(_dir, "summary.json");
        using var agent = AgentProcess.Start(_env, "run", "--config", RepoPaths.DefaultConfig, "--duration", "5s", "--quiet", "--summary", summary);

        int exit = agent.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.That(exit, Is.Zero, agent.Stderr + agent.Stdout);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        JsonElement root = doc.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("hal").GetString(), Is.EqualTo("ros2"));
            Assert.That(root.GetProperty("motor").GetProperty("rate_hz").GetDouble(), Is.EqualTo(1000.0).Within(2).Percent);
            Assert.That(root.GetProperty("balance").GetProperty("rate_hz").GetDouble(), Is.EqualTo(100.0).Within(2).Percent);
            Assert.That(root.GetProperty("safety").GetProperty("state").GetString(), Is.EqualTo("OK"), "the simulated base stayed upright over DDS: " + root.GetProperty("safety"));
        });
    }

    [Test]
    public void Run_PublisherKilled_SafeStopWithCauseStale()
    {
        using var robot = AgentProcess.Start(_env, "simulate", "--ros2", "--config", RepoPaths.DefaultConfig, "--duration", "30s");
        string summary = Path.Combine(_dir, "summary.json");
        using var agent = AgentProcess.Start(_env, "run", "--config", RepoPaths.DefaultConfig, "--duration", "6s", "--summary", summary);
        Assert.That(agent.WaitForOutput("safety OK", TimeSpan.FromSeconds(30)), Is.True, agent.Stderr + agent.Stdout);

        robot.Signal(SigKill);
        int exit = agent.WaitForExit(TimeSpan.FromSeconds(60));

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        JsonElement safety = doc.RootElement.GetProperty("safety");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(safety.GetProperty("state").GetString(), Is.EqualTo("SAFE_STOP"));
            Assert.That(safety.GetProperty("cause").GetString(), Is.EqualTo("stale"));
            Assert.That(safety.GetProperty("trips").GetProperty("stale").GetInt64(), Is.EqualTo(1));
        });
    }
}
