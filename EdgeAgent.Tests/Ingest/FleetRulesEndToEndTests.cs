using System.Net;
using System.Text.Json;
using EdgeAgent.Commands;
using EdgeAgent.Ingest;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Ingest;

/// <summary>
/// The fleet monitor on real parts: two simulated robots (agent processes) stream to one receiver with the
/// fleet rules and a real PostgreSQL store; one drains its battery below 10 %, the other is outside its
/// geofence; the operator looks with <c>edge-agent fleet status</c>.
/// </summary>
[Category("Stress")]
[NonParallelizable]
public sealed class FleetRulesEndToEndTests
{
    private const int SigTerm = 15;
    private PostgresCluster _pg = null!;
    private string _dir = null!;

    [OneTimeSetUp]
    public void StartServer() => _pg = PostgresCluster.Start();

    [OneTimeTearDown]
    public void StopServer() => _pg.Dispose();

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-rules-e2e-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task DrainedRobotSentToCharger_RobotOutsideItsGeofenceShownStopped()
    {
        string db = _pg.CreateDatabase();
        (string fleetKey, string fleetPub) = CommandSigner.WriteKeyPair(Path.Combine(_dir, "keys"));
        await using ReferenceReceiver receiver = await ReferenceReceiver.StartAsync(
            new ReceiverOptions
            {
                Listen = new IPEndPoint(IPAddress.Loopback, 0),
                StoreUrl = _pg.Url(db),
                Name = "receiver-a",
                FleetKeyPath = fleetKey,
                Rules = new FleetRulesOptions { ChargeBelowPercent = 10, StaleAfter = TimeSpan.FromSeconds(30), RetryAfter = TimeSpan.FromSeconds(2) },
            },
            CancellationToken.None);

        // robot-001 starts at 10.6 % with a 3 Wh battery: under 10 % within seconds, far from battery_critical.
        using AgentProcess drained = Agent(receiver, fleetPub, "robot-001", new()
        {
            ["EDGEAGENT__HAL__SIM__BATTERY_INITIAL_LEVEL"] = "0.106",
            ["EDGEAGENT__HAL__SIM__BATTERY_CAPACITY_WH"] = "3",
        });

        // robot-002's geofence is a square 5 m away: it is outside from its first tick and stops itself.
        using AgentProcess outside = Agent(receiver, fleetPub, "robot-002", new()
        {
            ["EDGEAGENT__SAFETY__GEOFENCE__0__X"] = "5", ["EDGEAGENT__SAFETY__GEOFENCE__0__Y"] = "5",
            ["EDGEAGENT__SAFETY__GEOFENCE__1__X"] = "6", ["EDGEAGENT__SAFETY__GEOFENCE__1__Y"] = "5",
            ["EDGEAGENT__SAFETY__GEOFENCE__2__X"] = "6", ["EDGEAGENT__SAFETY__GEOFENCE__2__Y"] = "6",
            ["EDGEAGENT__SAFETY__GEOFENCE__3__X"] = "5", ["EDGEAGENT__SAFETY__GEOFENCE__3__Y"] = "6",
        });
        try
        {
            Uri drainedStatus = drained.WaitForObservability(TimeSpan.FromSeconds(60));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(120) && (Events(db, "robot-001", "send_to_charger") == 0 || Events(db, "robot-002", "safe_stop") == 0))
            {
                Assert.That(drained.HasExited || outside.HasExited, Is.False, drained.Stdout + outside.Stdout);
                Thread.Sleep(100);
            }

            using AgentProcess status = AgentProcess.Start("fleet", "status", "--store", _pg.Url(db), "--json");
            int statusExit = status.WaitForExit(TimeSpan.FromSeconds(60));
            using AgentProcess text = AgentProcess.Start("fleet", "status", "--store", _pg.Url(db));
            text.WaitForExit(TimeSpan.FromSeconds(60));
            using var http = new HttpClient();
            using HttpResponseMessage response = await http.GetAsync(new Uri(drainedStatus, "status"));   // 503 while not ready: the body is the status all the same
            using JsonDocument robotStatus = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

            await TestContext.Out.WriteLineAsync(text.Stdout);
            using JsonDocument fleet = JsonDocument.Parse(status.Stdout);
            JsonElement[] robots = [.. fleet.RootElement.GetProperty("robots").EnumerateArray()];
            JsonElement one = robots.Single(r => r.GetProperty("robot_id").GetString() == "robot-001");
            JsonElement two = robots.Single(r => r.GetProperty("robot_id").GetString() == "robot-002");
            Assert.Multiple(() =>
            {
                Assert.That(Events(db, "robot-001", "send_to_charger"), Is.EqualTo(1), "once, not once a second");
                Assert.That(_pg.Scalar<string>(db, "SELECT status FROM edgeagent_command_events WHERE robot_id = 'robot-001' AND type = 'send_to_charger'"), Is.EqualTo("done"), "the robot verified and carried it out");
                Assert.That(robotStatus.RootElement.GetProperty("commands").GetProperty("charge").GetProperty("reason").GetString(), Does.Contain("< fleet charge_below 10 %"));
                Assert.That(_pg.Scalar<string>(db, "SELECT status FROM edgeagent_command_events WHERE robot_id = 'robot-002' AND type = 'safe_stop'"), Is.EqualTo("done"));
                Assert.That(statusExit, Is.EqualTo(1), "robots need attention\n" + status.Stderr);
                Assert.That(one.GetProperty("battery_percent").GetDouble(), Is.LessThan(10));
                Assert.That(one.GetProperty("alerts").GetString(), Does.StartWith("low_battery: battery"));
                Assert.That(one.GetProperty("safety").GetString(), Is.EqualTo("LOW_BATTERY"));
                Assert.That(two.GetProperty("safety").GetString(), Is.EqualTo("SAFE_STOP"));
                Assert.That(two.GetProperty("cause").GetString(), Is.EqualTo("geofence"));
                Assert.That(two.GetProperty("alerts").GetString(), Does.StartWith("geofence: SAFE_STOP"));
                Assert.That(two.GetProperty("stale").GetBoolean(), Is.False);
                Assert.That(two.GetProperty("gaps").GetInt64(), Is.Zero);
                Assert.That(text.Stdout, Does.Contain("! robot-002").And.Contain("SAFE_STOP (geofence)").And.Contain("2 robot(s): 0 fine, 1 stopped, 0 stale, 2 with open alerts"));
            });
        }
        finally
        {
            drained.Signal(SigTerm);
            outside.Signal(SigTerm);
            drained.WaitForExit(TimeSpan.FromSeconds(60));
            outside.WaitForExit(TimeSpan.FromSeconds(60));
        }
    }

    [Test]
    public void FleetSimulate_ThreeRobotsOneReceiverPostgres_DistinctIdsEveryBatchStoredOnce()
    {
        string db = _pg.CreateDatabase();
        string keys = Path.Combine(_dir, "keys");
        CommandSigner.WriteKeyPair(keys);
        using AgentProcess simulate = AgentProcess.Start(
            "fleet", "simulate", "--robots", "3", "--duration", "10s", "--store", _pg.Url(db), "--fleet-keys", keys, "--dir", Path.Combine(_dir, "sim"));
        int exit = simulate.WaitForExit(TimeSpan.FromSeconds(180));

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, simulate.Stdout + simulate.Stderr);
            Assert.That(_pg.Scalar<string>(db, "SELECT string_agg(robot_id, ' ' ORDER BY robot_id) FROM edgeagent_robot_latest"), Is.EqualTo("sim-001 sim-002 sim-003"));
            Assert.That(_pg.Scalar<long>(db, "SELECT min(batches) FROM edgeagent_robot_latest"), Is.GreaterThan(0));
            Assert.That(_pg.Scalar<long>(db, "SELECT count(*) FROM (SELECT robot_id, boot_id FROM edgeagent_batches GROUP BY 1, 2 HAVING max(seq) + 1 <> count(*)) g"), Is.Zero, "no gaps");
            Assert.That(_pg.Scalar<long>(db, "SELECT sum(batches)::bigint FROM edgeagent_robot_latest"), Is.EqualTo(_pg.Scalar<long>(db, "SELECT count(*) FROM edgeagent_batches")), "each batch stored once");
            Assert.That(simulate.Stdout, Does.Contain("summary sim-003: batches").And.Contain("0 gaps, 0 duplicates"));
            Assert.That(File.ReadAllText(Path.Combine(_dir, "sim", "robots", "sim-002", "agent.log")), Does.Contain("up (robot sim-002"), "each robot opened its command link");
        });
    }

    private long Events(string db, string robot, string type) =>
        _pg.Scalar<long>(db, $"SELECT count(*) FROM edgeagent_command_events WHERE robot_id = '{robot}' AND type = '{type}'");

    private AgentProcess Agent(ReferenceReceiver receiver, string fleetPub, string robotId, Dictionary<string, string> more)
    {
        var environment = new Dictionary<string, string>(more)
        {
            ["ROBOT_ID"] = robotId,
            ["CLOUD_ENDPOINT"] = receiver.Address.ToString(),
            ["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(_dir, "spill-" + robotId),
            ["EDGEAGENT__UPLINK__RETRY_MAX_DELAY"] = "1s",
            ["EDGEAGENT__COMMANDS__PUBLIC_KEY_FILE"] = fleetPub,
        };
        return AgentProcess.Start(environment, "run", "--config", RepoPaths.DefaultConfig, "--quiet");
    }
}
