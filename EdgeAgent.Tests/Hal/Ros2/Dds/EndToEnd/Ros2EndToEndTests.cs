using System.Text.Json;
using EdgeAgent.Tests.Support;

// Under the Dds namespace: its SetUpFixture points this process's Cyclone at the loopback-only config.
namespace EdgeAgent.Tests.Hal.Ros2.Dds.EndToEnd;

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
    public void Run_NonFiniteJointStatesInjected_RejectedAndCountedLoopUnaffected()
    {
        using var robot = AgentProcess.Start(_env, "simulate", "--ros2", "--config", RepoPaths.DefaultConfig, "--duration", "20s");
        string summary = Path.Combine(_dir, "summary.json");
        using var agent = AgentProcess.Start(_env, "run", "--config", RepoPaths.DefaultConfig, "--duration", "5s", "--summary", summary);
        Assert.That(agent.WaitForOutput("Loops running", TimeSpan.FromSeconds(30)), Is.True, agent.Stderr + agent.Stdout);

        // A second publisher on the robot's topic sending joint states with NaN positions (well-formed CDR).
        string[] names = [.. EdgeAgent.Tests.Control.ControlRig.ShippedOptions.Robot.Joints.Select(j => j.Name)];
        double[] nan = [.. names.Select(_ => double.NaN)];
        uint domain = uint.Parse(_env["ROS_DOMAIN_ID"], System.Globalization.CultureInfo.InvariantCulture);
        using (var participant = EdgeAgent.Hal.Ros2.Dds.DdsParticipant.Create(domain))
        using (var descriptor = new EdgeAgent.Hal.Ros2.Dds.DdsTopicDescriptor(EdgeAgent.Hal.Ros2.Dds.Ros2TypeDescriptors.JointState))
        using (var topic = participant.CreateTopic(descriptor, "rt/joint_states"))
        using (var writer = EdgeAgent.Hal.Ros2.Dds.DdsRawWriter.Create(topic, EdgeAgent.Hal.Ros2.Dds.Ros2Qos.Create(EdgeAgent.Hal.Ros2.Dds.DdsReliability.Reliable, 10)))
        {
            for (int k = 0; k < 100; k++)
            {
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                writer.WriteCdr(EdgeAgent.Tests.Hal.Ros2.Dds.CdrTestWriter.JointState((int)(now / 1000), (uint)(now % 1000 * 1_000_000), "base_link", names, nan, [], []));
                Thread.Sleep(10);
            }
        }

        int exit = agent.WaitForExit(TimeSpan.FromSeconds(60));

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        JsonElement root = doc.RootElement;
        JsonElement hal = root.GetProperty("hal_state");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(hal.GetProperty("rejected_non_finite").GetInt64(), Is.GreaterThan(0), "the NaN messages were seen and rejected");
            Assert.That(root.GetProperty("safety").GetProperty("state").GetString(), Is.EqualTo("OK"), "no NaN reached the loops: " + root.GetProperty("safety"));
            Assert.That(root.GetProperty("motor").GetProperty("rate_hz").GetDouble(), Is.EqualTo(1000.0).Within(2).Percent);
            Assert.That(hal.GetProperty("age_p99_us").GetDouble(), Is.GreaterThan(0), "state age measured");
        });
    }

    [Test]
    public void Run_OverDds_PublishesDiagnosticsAnIdlcReaderSees()
    {
        string peerDir = DdsTestEnvironment.CreateTempDirectory();
        try
        {
            string subscriber = DdsTestEnvironment.BuildNative("diagnostics_sub", peerDir);
            using var robot = AgentProcess.Start(_env, "simulate", "--ros2", "--config", RepoPaths.DefaultConfig, "--duration", "30s");
            using var agent = AgentProcess.Start(_env, "run", "--config", RepoPaths.DefaultConfig, "--duration", "10s", "--quiet");

            // Three arrays: the last one is taken with the loops running for at least two seconds.
            var (exit, output) = DdsTestEnvironment.Run(subscriber, _env["ROS_DOMAIN_ID"] + " rt/diagnostics 3 30", peerDir, TimeSpan.FromSeconds(45));
            Assert.That(exit, Is.Zero, output + agent.Stderr);
            agent.WaitForExit(TimeSpan.FromSeconds(60));

            string last = output[output.LastIndexOf("array ", StringComparison.Ordinal)..];
            string[] statuses = last.Split('\n').Where(l => l.StartsWith("status\t", StringComparison.Ordinal)).ToArray();
            Assert.Multiple(() =>
            {
                Assert.That(last, Does.StartWith("array ").And.Contain(" 5\n"), "five statuses: motor, balance, safety, hal, uplink");
                Assert.That(statuses.Select(l => l.Split('\t')[2]), Is.EqualTo(new[] { "edge_agent: motor loop", "edge_agent: balance loop", "edge_agent: safety", "edge_agent: hal", "edge_agent: uplink" }));
                Assert.That(statuses.Select(l => l.Split('\t')[4]), Is.All.EqualTo(EdgeAgent.Tests.Control.ControlRig.ShippedOptions.Robot.Id), "hardware_id is robot.id");
                Assert.That(statuses[2], Does.StartWith("status\t0\tedge_agent: safety\tOK"));
                Assert.That(statuses[3], Does.StartWith("status\t0\tedge_agent: hal\tros2: fresh"));
                Assert.That(last, Does.Contain("kv\ttarget_hz\t1000\n").And.Contain("kv\ttarget_hz\t100\n"));
                Assert.That(last, Does.Contain("kv\tticks_total\t"));
            });
        }
        finally
        {
            Directory.Delete(peerDir, recursive: true);
        }
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
