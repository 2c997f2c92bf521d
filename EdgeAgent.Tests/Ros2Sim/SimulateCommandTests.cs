using EdgeAgent.Configuration;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Ros2Sim;

/// <summary><c>edge-agent simulate --ros2</c> as a child process on a private loopback domain.</summary>
[NonParallelizable]
public class SimulateCommandTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    public void Simulate_Ros2ForThreeSeconds_PublishesJointStatesPrintsStatusAndExitsZero()
    {
        AgentOptions options = AgentConfigLoader.Load(RepoPaths.DefaultConfig);
        uint domain = Ros2SimTestEnvironment.DomainId;
        using var peer = new Peer(options, domain);
        var environment = new Dictionary<string, string>
        {
            ["CYCLONEDDS_URI"] = Ros2SimTestEnvironment.CycloneUri,
            ["ROS_DOMAIN_ID"] = domain.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        using var agent = AgentProcess.Start(environment, "simulate", "--ros2", "--duration", "3s", "--config", RepoPaths.DefaultConfig);

        bool received = Ros2SimTestEnvironment.WaitUntil(() => peer.TakeJointStates() > 0, TimeSpan.FromSeconds(20));
        int exit = agent.WaitForExit(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, agent.Stderr);
            Assert.That(received, Is.True, "a joint state from the child process");
            Assert.That(peer.JointState.NameCount, Is.EqualTo(12));
            Assert.That(agent.Stdout, Does.Contain("status: published"));
            Assert.That(agent.Stdout, Does.Contain($"domain {domain}"));
        });
    }

    [Test]
    public void Simulate_Sigterm_StopsCleanlyAndExitsZero()
    {
        var environment = new Dictionary<string, string>
        {
            ["CYCLONEDDS_URI"] = Ros2SimTestEnvironment.CycloneUri,
            ["ROS_DOMAIN_ID"] = Ros2SimTestEnvironment.DomainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        using var agent = AgentProcess.Start(environment, "simulate", "--ros2", "--config", RepoPaths.DefaultConfig);
        Assert.That(agent.WaitForOutput("status: published", TimeSpan.FromSeconds(20)), Is.True, agent.Stderr);

        agent.Signal(15); // SIGTERM to this child's PID only

        Assert.That(agent.WaitForExit(Bound), Is.Zero, agent.Stderr);
        Assert.That(agent.Stdout, Does.Contain("edge-agent simulate: stopped; published"));
    }

    [Test]
    public void Simulate_WithoutRos2_ExitsTwoAndSaysOnlyRos2Exists()
    {
        using var agent = AgentProcess.Start("simulate", "--config", RepoPaths.DefaultConfig);
        Assert.That(agent.WaitForExit(Bound), Is.EqualTo(2));
        Assert.That(agent.Stderr, Does.Contain("only ROS 2 mode exists"));
    }

    [Test]
    public void Simulate_InvalidConfig_Exits78()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgeagent-sim-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "hal:\n  ros2:\n    domain_id: 999\n");
        try
        {
            using var agent = AgentProcess.Start("simulate", "--ros2", "--duration", "1s", "--config", path);
            Assert.That(agent.WaitForExit(Bound), Is.EqualTo(78), agent.Stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
