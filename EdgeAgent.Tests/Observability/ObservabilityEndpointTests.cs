using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Observability;

/// <summary>The agent's endpoint, on the real process: /metrics checked by promtool, probes, the status verb, sd_notify.</summary>
[NonParallelizable]
public sealed class ObservabilityEndpointTests
{
    private const int SigTerm = 15;
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(60);

    private static readonly string[] Required =
    [
        "edgeagent_build_info", "edgeagent_loop_rate_hertz", "edgeagent_loop_ticks_total", "edgeagent_loop_overruns_total",
        "edgeagent_loop_wakeup_error_seconds_bucket", "edgeagent_loop_compute_seconds_bucket", "edgeagent_control_gap_longest_seconds",
        "edgeagent_safety_state", "edgeagent_safety_trips_total", "edgeagent_hal_fresh_measurements_total", "edgeagent_hal_not_fresh_ticks_total",
        "edgeagent_telemetry_ring_dropped_total", "edgeagent_uplink_batches_built_total", "edgeagent_uplink_batches_acked_total",
        "edgeagent_uplink_batches_spilled_total", "edgeagent_uplink_batches_replayed_total", "edgeagent_uplink_batches_dead_lettered_total",
        "edgeagent_uplink_breaker_state", "edgeagent_uplink_ledger", "edgeagent_spill_size_bytes", "edgeagent_spill_pending",
        "edgeagent_config_reloads_total", "edgeagent_health_ready",
    ];

    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-obs-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Metrics_WhileRunning_PromtoolAcceptsThemAndTheCountersMove()
    {
        using var agent = AgentProcess.Start("run", "--quiet");
        Uri url = agent.WaitForObservability(Start);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.That(await WaitForStatusAsync(http, new Uri(url, "readyz"), HttpStatusCode.OK), Is.True, agent.Stdout);

        string first = await http.GetStringAsync(new Uri(url, "metrics"));
        await Task.Delay(1500);
        string second = await http.GetStringAsync(new Uri(url, "metrics"));
        (int exit, string output) = Promtool(second);
        agent.Signal(SigTerm);
        Assert.That(agent.WaitForExit(Start), Is.Zero, agent.Stderr);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, "promtool check metrics: " + output);
            foreach (string name in Required)
            {
                Assert.That(second, Does.Contain("\n" + name), name);
            }

            Assert.That(Value(second, "edgeagent_loop_ticks_total{loop=\"motor\"}"), Is.GreaterThan(Value(first, "edgeagent_loop_ticks_total{loop=\"motor\"}")), "the tick counter is read live");
            Assert.That(Value(second, "edgeagent_safety_state{state=\"ok\"}"), Is.EqualTo(1));
            Assert.That(Value(second, "edgeagent_loop_allocated_bytes{loop=\"motor\"}"), Is.Zero, "the hot path stays allocation-free with the endpoint scraped");
            Assert.That(Value(second, "edgeagent_loop_wakeup_error_seconds_count{loop=\"motor\"}"), Is.GreaterThan(500), "the histogram takes in the loop's values");
            Assert.That(second, Does.Contain("# TYPE edgeagent_loop_ticks_total counter"));
            Assert.That(second, Does.Contain("# TYPE edgeagent_loop_wakeup_error_seconds histogram"));
        });
    }

    [Test]
    public async Task Probes_Healthy_ReadyzHealthzAndTheStatusVerbSayReady()
    {
        using var agent = AgentProcess.Start("run", "--quiet");
        Uri url = agent.WaitForObservability(Start);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.That(await WaitForStatusAsync(http, new Uri(url, "readyz"), HttpStatusCode.OK), Is.True, agent.Stdout);
        HttpStatusCode healthz = (await http.GetAsync(new Uri(url, "healthz"))).StatusCode;
        string endpoint = url.Authority;

        // Ready is "loops within 10 % of their rate over the last second": a loaded VM's stall can make one
        // reading not ready, so the verb gets a few tries to show a ready agent.
        AgentProcess status = null!;
        int statusExit = -1;
        for (int attempt = 0; attempt < 5 && statusExit != 0; attempt++)
        {
            status?.Dispose();
            status = AgentProcess.Start("status", "--endpoint", endpoint);
            statusExit = status.WaitForExit(Start);
        }

        using var json = AgentProcess.Start("status", "--endpoint", endpoint, "--json");
        int jsonExit = json.WaitForExit(Start);
        agent.Signal(SigTerm);
        Assert.That(agent.WaitForExit(Start), Is.Zero, agent.Stderr);

        using JsonDocument doc = JsonDocument.Parse(json.Stdout);
        using AgentProcess shown = status;
        Assert.Multiple(() =>
        {
            Assert.That(healthz, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(statusExit, Is.Zero, status.Stdout + status.Stderr);
            Assert.That(status.Stdout, Does.StartWith("robot-001  READY").And.Contain("loops    motor").And.Contain("safety   OK").And.Contain("uplink   flight recorder"));
            Assert.That(jsonExit, Is.EqualTo(doc.RootElement.GetProperty("ready").GetBoolean() ? 0 : 1), "the exit code follows ready");
            Assert.That(doc.RootElement.GetProperty("pid").GetInt32(), Is.EqualTo(agent.Pid));
            Assert.That(doc.RootElement.GetProperty("motor").GetProperty("target_hz").GetDouble(), Is.EqualTo(1000));
        });
    }

    [Test]
    public async Task Latched_ReadyzSaysWhyHealthzStaysAliveStatusExitsNonZero()
    {
        // A geofence that does not hold the start: the base is outside it on the first tick and the stop latches.
        var env = new Dictionary<string, string>();
        (double X, double Y)[] square = [(5, 5), (25, 5), (25, 25), (5, 25)];
        for (int i = 0; i < square.Length; i++)
        {
            env[$"EDGEAGENT__SAFETY__GEOFENCE__{i}__X"] = square[i].X.ToString(System.Globalization.CultureInfo.InvariantCulture);
            env[$"EDGEAGENT__SAFETY__GEOFENCE__{i}__Y"] = square[i].Y.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var agent = AgentProcess.Start(env, "run", "--quiet");
        Uri url = agent.WaitForObservability(Start);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.That(agent.WaitForOutput("SAFE_STOP latched", Start), Is.True, agent.Stdout);
        Assert.That(await WaitForStatusAsync(http, new Uri(url, "healthz"), HttpStatusCode.OK), Is.True, "alive: the motor loop ticks through the stop");
        HttpResponseMessage ready = await http.GetAsync(new Uri(url, "readyz"));
        string readyBody = await ready.Content.ReadAsStringAsync();
        using var status = AgentProcess.Start("status", "--endpoint", url.Authority);
        int statusExit = status.WaitForExit(Start);
        agent.Signal(SigTerm);
        agent.WaitForExit(Start);

        Assert.Multiple(() =>
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(readyBody, Does.Contain("SAFE_STOP").And.Contain("geofence"));
            Assert.That(statusExit, Is.EqualTo(1), status.Stdout + status.Stderr);
            Assert.That(status.Stdout, Does.Contain("NOT READY").And.Contain("geofence"));
        });
    }

    [Test]
    public void ListenAddressTaken_OneWarningAndTheRobotRunsOn()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var env = new Dictionary<string, string> { ["EDGEAGENT__OBSERVABILITY__LISTEN"] = $"127.0.0.1:{port}" };
        string summary = Path.Combine(_dir, "summary.json");
        using var agent = AgentProcess.Start(env, "run", "--quiet", "--summary", summary);
        Assert.That(agent.WaitForOutput("Observability endpoint not started", Start), Is.True, agent.Stdout);
        Assert.That(agent.WaitForOutput("Loops running", Start), Is.True, agent.Stdout);
        Thread.Sleep(500);
        agent.Signal(SigTerm);
        int exit = agent.WaitForExit(Start);

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, agent.Stderr);
            Assert.That(agent.Stdout, Does.Contain($"127.0.0.1:{port}").And.Contain("Fix:"));
            Assert.That(doc.RootElement.GetProperty("safety").GetProperty("state").GetString(), Is.EqualTo("OK"));
        });
    }

    [Test]
    public void Status_NoAgentListening_Exit69NamingTheAddress()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var status = AgentProcess.Start("status", "--endpoint", $"127.0.0.1:{port}");
        int exit = status.WaitForExit(Start);

        Assert.That(exit, Is.EqualTo(69));
        Assert.That(status.Stderr, Does.Contain($"127.0.0.1:{port}").And.Contain("no agent answers"));
    }

    [Test]
    public void NotifySocket_ReadyWatchdogStatusAndStopping()
    {
        string path = Path.Combine(_dir, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.ReceiveTimeout = 200;
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "400000" };
        using var agent = AgentProcess.Start(env, "run", "--quiet");
        var messages = new List<string>();
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        bool stopSent = false;
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && !messages.Contains("STOPPING=1"))
        {
            try
            {
                int n = socket.Receive(buffer);
                messages.Add(Encoding.UTF8.GetString(buffer, 0, n));
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
            {
            }

            if (!stopSent && messages.Contains("READY=1") && messages.Count(m => m == "WATCHDOG=1") >= 3 && messages.Any(m => m.StartsWith("STATUS=READY", StringComparison.Ordinal)))
            {
                agent.Signal(SigTerm);
                stopSent = true;
            }
        }

        int exit = agent.WaitForExit(Start);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, agent.Stderr);
            Assert.That(messages, Does.Contain("READY=1"), string.Join(" | ", messages));
            Assert.That(messages.Count(m => m == "WATCHDOG=1"), Is.GreaterThanOrEqualTo(3));
            Assert.That(messages.Any(m => m.StartsWith("STATUS=READY: motor", StringComparison.Ordinal)), Is.True, "STATUS= carries the one-line state");
            Assert.That(messages, Does.Contain("STOPPING=1"));
            Assert.That(agent.Stdout, Does.Not.Contain("] motor "), "under a notify socket the periodic status line stays out of the journal");
        });
    }

    internal static (int Exit, string Output) Promtool(string metrics)
    {
        string? promtool = Environment.GetEnvironmentVariable("EDGEAGENT_PROMTOOL");
        if (string.IsNullOrEmpty(promtool) || !File.Exists(promtool))
        {
            promtool = new[] { Path.Combine(RepoPaths.Root, ".tools", "prometheus", "usr", "bin", "promtool"), "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);
        }

        Assert.That(promtool, Is.Not.Null, "promtool not found: run the suite with scripts/test.sh (it unpacks Debian's prometheus package into .tools/), or set EDGEAGENT_PROMTOOL");
        var info = new ProcessStartInfo(promtool!, ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        process.StandardInput.Write(metrics);
        process.StandardInput.Close();
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            Assert.Fail("promtool did not finish in 60 s");
        }

        return (process.ExitCode, output);
    }

    private static double Value(string metrics, string series)
    {
        foreach (string line in metrics.Split('\n'))
        {
            string name = line.Split(' ')[0];
            if (name == series || name == series + "{}")
            {
                return double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        Assert.Fail($"{series} not in /metrics");
        return 0;
    }

    private static async Task<bool> WaitForStatusAsync(HttpClient http, Uri url, HttpStatusCode expected)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await http.GetAsync(url)).StatusCode == expected)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        return false;
    }
}
