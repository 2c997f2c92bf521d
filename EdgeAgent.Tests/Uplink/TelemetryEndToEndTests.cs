using System.Net;
using System.Text.Json;
using EdgeAgent.Ingest;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Uplink;

/// <summary>The real agent as a child process streaming to a real receiver on loopback.</summary>
[Category("Stress")]
[NonParallelizable]
public sealed class TelemetryEndToEndTests
{
    private const int SigKill = 9;
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-e2e-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Run_TenSecondsAtOneKilohertz_CompleteInSeqOrderNoDuplicates()
    {
        string received = Path.Combine(_dir, "received.jsonl");
        await using var receiver = await StartReceiverAsync(0, received);
        string summary = Path.Combine(_dir, "summary.json");

        using var agent = AgentProcess.Start(Environment(receiver, "1000"), "run", "--config", RepoPaths.DefaultConfig, "--duration", "10s", "--quiet", "--summary", summary);
        Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(90)), Is.Zero, agent.Stderr);

        JsonElement telemetry = Telemetry(summary);
        long sampled = telemetry.GetProperty("sampled").GetInt64();
        // The loops run the 10 s and then through the shutdown stop (about 1.8 s more); sampling follows them.
        double seconds = SummaryRoot(summary).GetProperty("duration_s").GetDouble();
        List<Batch> batches = ReadBatches(received);
        RobotStatistics stats = receiver.Statistics.ForRobot("robot-001");
        Assert.Multiple(() =>
        {
            Assert.That(seconds, Is.GreaterThan(10.0));
            Assert.That(sampled, Is.EqualTo(seconds * 1000).Within(10).Percent, "1 kHz for the whole run (loose: a loaded VM stalls)");
            Assert.That(telemetry.GetProperty("ring_dropped").GetInt64(), Is.Zero);
            Assert.That(stats.Samples, Is.EqualTo(sampled), "every sample reached the receiver");
            Assert.That(stats.Gaps, Is.Zero);
            Assert.That(stats.Duplicates, Is.Zero);
            // What the uplink promises: every batch stored once, seq 0..N-1 without a hole, and the samples in
            // order by (seq, index). Arrival order is not promised: a backlog after a stall is sent up to 16
            // calls at a time, and the receiver keys by seq.
            Assert.That(batches.Select(b => b.Seq).Order(), Is.EqualTo(Enumerable.Range(0, batches.Count).Select(i => (ulong)i)), "one line per batch, seq 0..N-1");
            Assert.That(batches.OrderBy(b => b.Seq).SelectMany(b => b.MonotonicNs), Is.Ordered.Ascending.And.Unique, "samples in order by seq");
            Assert.That(telemetry.GetProperty("spilled").GetInt64(), Is.Zero, "a healthy upstream: no disk writes in on_failure mode");
        });
    }

    [Test]
    public async Task Run_ReceiverDownTwentySeconds_EverySampleDeliveredBreakerOpenedAndClosed()
    {
        string first = Path.Combine(_dir, "first.jsonl");
        string second = Path.Combine(_dir, "second.jsonl");
        var receiver = await StartReceiverAsync(0, first);
        int port = receiver.Port;
        string summary = Path.Combine(_dir, "summary.json");
        using var agent = AgentProcess.Start(Environment(receiver, "100"), "run", "--config", RepoPaths.DefaultConfig, "--duration", "40s", "--summary", summary);
        Assert.That(agent.WaitForOutput("Loops running", TimeSpan.FromSeconds(30)), Is.True, agent.Stderr);

        await Task.Delay(TimeSpan.FromSeconds(5));
        await receiver.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(20));
        await using var back = await StartReceiverAsync(port, second);
        int exit = agent.WaitForExit(TimeSpan.FromSeconds(90));

        JsonElement telemetry = Telemetry(summary);
        long sampled = telemetry.GetProperty("sampled").GetInt64();
        List<Batch> all = [.. ReadBatches(first), .. ReadBatches(second)];
        var unique = all.DistinctBy(b => b.Seq).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(unique.Sum(b => b.Samples), Is.EqualTo(sampled), "every sample delivered");
            Assert.That(unique.Select(b => b.Seq).Order(), Is.EqualTo(Enumerable.Range(0, unique.Count).Select(i => (ulong)i)), "no seq missing");
            Assert.That(back.Statistics.ForRobot("robot-001").Duplicates, Is.Zero, "the receiver saw no batch twice");
            Assert.That(telemetry.GetProperty("spill_pending").GetInt64(), Is.Zero, "backlog drained");
            Assert.That(telemetry.GetProperty("replayed").GetInt64(), Is.GreaterThan(0));
            Assert.That(telemetry.GetProperty("breaker_opened").GetInt64(), Is.GreaterThanOrEqualTo(1));
            Assert.That(telemetry.GetProperty("breaker_closed").GetInt64(), Is.GreaterThanOrEqualTo(1));
            Assert.That(agent.Stdout, Does.Contain("circuit breaker OPEN").And.Contain("circuit breaker closed"));
        });
    }

    [Test]
    public async Task Run_AlwaysModeKilledTwentyTimes_NoCommittedBatchLostNoneDuplicated()
    {
        string received = Path.Combine(_dir, "received.jsonl");
        await using var receiver = await StartReceiverAsync(0, received);
        var env = Environment(receiver, "1000");
        env["EDGEAGENT__SPILL__MODE"] = "always";
        var random = new Random(20261123);
        int kills = 0;
        for (int round = 0; round < 20; round++)
        {
            using var agent = AgentProcess.Start(env, "run", "--config", RepoPaths.DefaultConfig, "--quiet");
            Assert.That(agent.WaitForOutput("Loops running", TimeSpan.FromSeconds(30)), Is.True, agent.Stderr);

            // Killed at a random moment once this run's first batch has arrived: on a loaded VM the first
            // commit and connect can take seconds, and a run killed before them has nothing of its own to lose.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (receiver.Statistics.ForRobot("robot-001").Boots < round + 1 && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(20);
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(random.Next(0, 1700)));
            agent.Signal(SigKill);
            agent.WaitForExit(TimeSpan.FromSeconds(30));
            kills++;
        }

        string summary = Path.Combine(_dir, "summary.json");
        using (var last = AgentProcess.Start(env, "run", "--config", RepoPaths.DefaultConfig, "--duration", "4s", "--quiet", "--summary", summary))
        {
            Assert.That(last.WaitForExit(TimeSpan.FromSeconds(60)), Is.Zero, last.Stderr);
        }

        List<Batch> batches = ReadBatches(received);
        RobotStatistics stats = receiver.Statistics.ForRobot("robot-001");
        Assert.Multiple(() =>
        {
            Assert.That(kills, Is.EqualTo(20));
            Assert.That(stats.Boots, Is.EqualTo(21), "every run delivered batches");

            // A batch is sent only once it is durable, and commits are in order: a lost committed batch
            // shows as a hole below the highest seq its boot delivered.
            Assert.That(stats.Gaps, Is.Zero, "no committed batch lost");
            Assert.That(batches.GroupBy(b => (b.Boot, b.Seq)).Where(g => g.Count() > 1), Is.Empty, "stored once each");
            Assert.That(Telemetry(summary).GetProperty("spill_pending").GetInt64(), Is.Zero, "everything acknowledged in the end");
        });
    }

    private static async Task<ReferenceReceiver> StartReceiverAsync(int port, string output) =>
        await ReferenceReceiver.StartAsync(new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Loopback, port), OutputPath = output }, CancellationToken.None);

    private Dictionary<string, string> Environment(ReferenceReceiver receiver, string sampleRateHz) => new()
    {
        ["CLOUD_ENDPOINT"] = receiver.Address.ToString(),
        ["EDGEAGENT__SAMPLING__RATE_HZ"] = sampleRateHz,
        ["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(_dir, "spill"),
        ["EDGEAGENT__UPLINK__BREAKER_BREAK_DURATION"] = "2s",
    };

    private static JsonElement Telemetry(string summary) => SummaryRoot(summary).GetProperty("telemetry");

    private static JsonElement SummaryRoot(string summary)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        return doc.RootElement.Clone();
    }

    private static List<Batch> ReadBatches(string path) => !File.Exists(path) ? [] : File.ReadLines(path).Select(line =>
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement e = doc.RootElement;
        return new Batch(
            e.GetProperty("boot_id").GetString()!,
            e.GetProperty("seq").GetUInt64(),
            e.GetProperty("sample_count").GetInt32(),
            e.GetProperty("monotonic_ns").EnumerateArray().Select(x => x.GetInt64()).ToArray());
    }).ToList();

    private sealed record Batch(string Boot, ulong Seq, int Samples, long[] MonotonicNs);
}
