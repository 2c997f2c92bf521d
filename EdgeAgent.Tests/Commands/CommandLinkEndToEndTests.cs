using System.Net;
using System.Text.Json;
using EdgeAgent.Ingest;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Commands;

/// <summary>
/// The real agent as a child process with its command link to a real receiver on loopback, commanded by the
/// real CLI (<c>edge-agent fleet keygen</c>, <c>edge-agent fleet command</c>) as an operator would.
/// </summary>
[Category("Stress")]
[NonParallelizable]
public sealed class CommandLinkEndToEndTests
{
    private const string Robot = "robot-001";
    private const int SigTerm = 15;
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-cmd-e2e-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task FleetCommands_ThroughTheReceiver_ActOnTheRunningAgent_AndSurviveAReceiverRestart()
    {
        using (AgentProcess keygen = AgentProcess.Start("fleet", "keygen", "--out", Path.Combine(_dir, "keys")))
        {
            Assert.That(keygen.WaitForExit(TimeSpan.FromSeconds(60)), Is.Zero, keygen.Stderr);
        }

        string overlay = Path.Combine(_dir, "tuning.yaml");
        File.WriteAllText(overlay, "balance:\n  tilt_gain: 95.0\n");
        string badOverlay = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(badOverlay, "balance:\n  tilt_gain: -1\n");
        var first = await StartReceiverAsync(0);
        int port = first.Port;
        using var agent = AgentProcess.Start(
            new Dictionary<string, string>
            {
                ["CLOUD_ENDPOINT"] = first.Address.ToString(),
                ["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(_dir, "spill"),
                ["EDGEAGENT__UPLINK__RETRY_MAX_DELAY"] = "1s",
                ["EDGEAGENT__COMMANDS__PUBLIC_KEY_FILE"] = Path.Combine(_dir, "keys", "fleet.pub"),
                ["EDGEAGENT__COMMANDS__ALLOW__0"] = "safe_stop",
                ["EDGEAGENT__COMMANDS__ALLOW__1"] = "set_tuning",
                ["EDGEAGENT__COMMANDS__ALLOW__2"] = "snapshot",
            },
            "run", "--config", RepoPaths.DefaultConfig, "--quiet");
        try
        {
            Assert.That(WaitConnected(first, agent), Is.True, "the agent opened its command link\n" + agent.Stdout + agent.Stderr);

            (int tuneExit, string tuned) = Fleet(port, "set_tuning", "--overlay", overlay);
            (int badExit, string bad) = Fleet(port, "set_tuning", "--overlay", badOverlay);
            (int resetExit, string reset) = Fleet(port, "reset");

            // The receiver goes away and comes back on the same port: the robot reconnects by itself.
            await first.DisposeAsync();
            await using ReferenceReceiver second = await StartReceiverAsync(port);
            Assert.That(WaitConnected(second, agent), Is.True, "the link came back after the receiver's restart\n" + agent.Stdout);
            (int stopExit, string stopped) = Fleet(port, "safe_stop", "--reason", "test");
            (int snapExit, string snapshot) = Fleet(port, "snapshot", "--json");

            using JsonDocument snap = JsonDocument.Parse(snapshot);
            JsonElement status = snap.RootElement.GetProperty("snapshot");
            Assert.Multiple(() =>
            {
                Assert.That(tuneExit, Is.Zero, tuned);
                Assert.That(tuned, Does.Contain($"{Robot} set_tuning").And.Contain("done: applied 1 change(s): balance.tilt_gain 90.2 → 95"));
                Assert.That(badExit, Is.EqualTo(3), bad);
                Assert.That(bad, Does.Contain("rejected").And.Contain("balance.tilt_gain"));
                Assert.That(resetExit, Is.EqualTo(3), reset);
                Assert.That(reset, Does.Contain("not_permitted: Permission denied: this robot does not accept 'reset'"));
                Assert.That(stopExit, Is.Zero, stopped);
                Assert.That(stopped, Does.Contain("done: stopped: SAFE_STOP latched"));
                Assert.That(snapExit, Is.Zero, snapshot);
                Assert.That(snap.RootElement.GetProperty("status").GetString(), Is.EqualTo("done"));
                Assert.That(status.GetRawText(), Does.Contain("SAFE_STOP"));
                Assert.That(second.Commands.Results, Is.EqualTo(2));
                Assert.That(agent.Stdout, Does.Not.Contain("eyJ"), "the token is never logged");
            });
        }
        finally
        {
            agent.Signal(SigTerm);
            agent.WaitForExit(TimeSpan.FromSeconds(60));
        }
    }

    private static bool WaitConnected(ReferenceReceiver receiver, AgentProcess agent)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!receiver.Commands.IsConnected(Robot) && clock.Elapsed < TimeSpan.FromSeconds(90) && !agent.HasExited)
        {
            Thread.Sleep(20);
        }

        return receiver.Commands.IsConnected(Robot);
    }

    private static async Task<ReferenceReceiver> StartReceiverAsync(int port) =>
        await ReferenceReceiver.StartAsync(new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Loopback, port) }, CancellationToken.None);

    private (int Exit, string Output) Fleet(int port, string type, params string[] more)
    {
        using AgentProcess cli = AgentProcess.Start(
            ["fleet", "command", Robot, type, "--key", Path.Combine(_dir, "keys", "fleet.key"), "--receiver", $"http://127.0.0.1:{port}", "--wait", "20s", .. more]);
        int exit = cli.WaitForExit(TimeSpan.FromSeconds(90));
        return (exit, cli.Stdout + cli.Stderr);
    }
}
