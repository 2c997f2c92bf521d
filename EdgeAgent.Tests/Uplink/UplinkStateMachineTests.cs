using EdgeAgent.Configuration;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Sampling;
using EdgeAgent.Spill;
using EdgeAgent.Uplink;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace EdgeAgent.Tests.Uplink;

/// <summary>
/// The uplink's state machine (queue, spill on failure, replay, ledger) against a scripted upstream on a
/// simulated clock: no gRPC server, no wall-clock waits. The real-gRPC paths are TelemetryEndToEndTests and
/// UplinkFaultTests.
/// </summary>
public sealed class UplinkStateMachineTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-uplink-sm-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task UpstreamDownThenUp_EveryBatchSpilledThenReplayedOnceLedgerBalanced()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var upstream = new ScriptedUpstream { Down = true };
        AgentOptions options = UplinkRig.TestOptions(Path.Combine(_dir, "spill"), new Uri("http://127.0.0.1:9"));
        var ring = new SpscRing<TelemetrySample>(options.Sampling.RingCapacity);
        using var uplink = new TelemetryUplink(options, ring, "boot-sm", NullLogger.Instance, time, _ => upstream);
        using var stop = new CancellationTokenSource();
        Task running = Task.Run(() => uplink.RunAsync(stop.Token));

        int batchSize = options.Uplink.BatchSize;
        Produce(ring, options, 10 * batchSize);
        Assert.That(await Drive(time, () => uplink.Accounting.PendingSpill == 10), Is.True, "ten failed batches in the spill: " + uplink.Accounting);
        Assert.That(upstream.Acked, Is.Empty);

        upstream.Down = false;
        Assert.That(await Drive(time, () => uplink.Accounting.Acked == 10), Is.True, "the backlog replayed: " + uplink.Accounting);

        await stop.CancelAsync();
        Assert.That(await Drive(time, () => running.IsCompleted), Is.True, "the uplink stops on the simulated clock");
        await running;
        UplinkAccounting a = uplink.Accounting;
        Assert.Multiple(() =>
        {
            Assert.That(upstream.Acked.Keys.Order(), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (ulong)i)), "seq 0..9, each acknowledged once");
            Assert.That(upstream.Acked.Values, Is.All.True, "every one came back as a replay");
            Assert.That(a.Balanced, Is.True, a.ToString());
            Assert.That(a.PendingSpill + a.PendingMemory, Is.Zero);
            Assert.That(uplink.Counters.Replayed, Is.EqualTo(10));
        });
    }

    [Test]
    public async Task UpstreamRejectsOneForGood_DeadLetteredTheRestAcked()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var upstream = new ScriptedUpstream { RejectSeq = 3 };
        AgentOptions options = UplinkRig.TestOptions(Path.Combine(_dir, "spill"), new Uri("http://127.0.0.1:9"));
        var ring = new SpscRing<TelemetrySample>(options.Sampling.RingCapacity);
        using var uplink = new TelemetryUplink(options, ring, "boot-sm", NullLogger.Instance, time, _ => upstream);
        using var stop = new CancellationTokenSource();
        Task running = Task.Run(() => uplink.RunAsync(stop.Token));

        Produce(ring, options, 6 * options.Uplink.BatchSize);
        Assert.That(await Drive(time, () => uplink.Accounting.Acked + uplink.Accounting.DeadLettered == 6), Is.True, uplink.Accounting.ToString());
        await stop.CancelAsync();
        Assert.That(await Drive(time, () => running.IsCompleted), Is.True);
        await running;

        Assert.Multiple(() =>
        {
            Assert.That(uplink.Accounting.DeadLettered, Is.EqualTo(1));
            Assert.That(uplink.Accounting.Acked, Is.EqualTo(5));
            Assert.That(uplink.Accounting.Balanced, Is.True, uplink.Accounting.ToString());
            Assert.That(uplink.DeadLetter.Statistics.PendingRecords, Is.EqualTo(1), "the rejected batch is kept in the dead-letter spill");
        });
    }

    [Test]
    public async Task OutageLongerThanQuota_OldestDropped_TheUpstreamMissesExactlyWhatIsCounted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var upstream = new ScriptedUpstream { Down = true };
        AgentOptions options = UplinkRig.TestOptions(Path.Combine(_dir, "spill"), new Uri("http://127.0.0.1:9"));
        options.Spill.SegmentBytes = 64 * 1024;
        options.Spill.QuotaBytes = 128 * 1024;
        var ring = new SpscRing<TelemetrySample>(options.Sampling.RingCapacity);
        using var uplink = new TelemetryUplink(options, ring, "boot-sm", NullLogger.Instance, time, _ => upstream);
        using var stop = new CancellationTokenSource();
        Task running = Task.Run(() => uplink.RunAsync(stop.Token));

        const int Batches = 40;
        Produce(ring, options, Batches * options.Uplink.BatchSize);
        Assert.That(await Drive(time, () => uplink.Counters.Spilled == Batches), Is.True, "every batch failed into the spill: " + uplink.Accounting);
        long dropped = uplink.Spill.Statistics.DroppedBatches;

        upstream.Down = false;
        Assert.That(await Drive(time, () => uplink.Spill.Statistics.PendingRecords == 0 && uplink.Accounting.PendingMemory == 0), Is.True, uplink.Accounting.ToString());
        await stop.CancelAsync();
        Assert.That(await Drive(time, () => running.IsCompleted), Is.True);
        await running;

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.GreaterThan(0), "the outage must really exceed the quota");
            Assert.That(Batches - upstream.Acked.Count, Is.EqualTo(dropped), "the upstream misses exactly what the spill counted as dropped");
            Assert.That(uplink.Accounting.Balanced, Is.True, uplink.Accounting.ToString());
        });
    }

    [Test]
    public async Task Replay_DeliversTheConfiguredRate_OnTheSimulatedClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var upstream = new ScriptedUpstream { Down = true };
        AgentOptions options = UplinkRig.TestOptions(Path.Combine(_dir, "spill"), new Uri("http://127.0.0.1:9"));
        options.Uplink.ReplayRatePerSecond = 10;
        var ring = new SpscRing<TelemetrySample>(options.Sampling.RingCapacity);
        using var uplink = new TelemetryUplink(options, ring, "boot-sm", NullLogger.Instance, time, _ => upstream);
        using var stop = new CancellationTokenSource();
        Task running = Task.Run(() => uplink.RunAsync(stop.Token));

        const int Batches = 40; // what the test ring holds
        Produce(ring, options, Batches * options.Uplink.BatchSize);
        Assert.That(await Drive(time, () => uplink.Accounting.PendingSpill == Batches), Is.True, uplink.Accounting.ToString());

        upstream.Down = false;
        long start = time.GetTimestamp();
        Assert.That(await Drive(time, () => uplink.Counters.Replayed == Batches), Is.True, "the backlog replayed: " + uplink.Accounting);
        double seconds = time.GetElapsedTime(start).TotalSeconds;
        await stop.CancelAsync();
        Assert.That(await Drive(time, () => running.IsCompleted), Is.True);
        await running;

        // 40 at 10/s with a burst of 16: (40 - 16) / 10 = 2.4 s, plus up to the replayer's back-off (half the
        // breaker's break, 250 ms) before it notices the upstream is back.
        Assert.That(seconds, Is.InRange(2.3, 2.8), "the replay runs at replay_rate_per_second, neither faster nor a third of it");
    }

    private static void Produce(SpscRing<TelemetrySample> ring, AgentOptions options, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var sample = new TelemetrySample { MonotonicNs = (i + 1) * 1_000_000L, WallUnixNs = i, JointCount = options.Robot.Joints.Count };
            Assert.That(ring.TryWrite(sample), Is.True);
        }
    }

    /// <summary>Advances the simulated clock in 10 ms steps, letting the uplink's tasks run between steps, until the condition holds (bounded: 60 simulated s).</summary>
    private static async Task<bool> Drive(FakeTimeProvider time, Func<bool> condition)
    {
        for (int step = 0; step < 6000; step++)
        {
            if (condition())
            {
                return true;
            }

            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(1).ConfigureAwait(false);
        }

        return condition();
    }

    /// <summary>An upstream that fails everything while down, rejects one seq for good, and acknowledges the rest.</summary>
    private sealed class ScriptedUpstream : IBatchSender
    {
        public volatile bool Down;

        public ulong RejectSeq { get; init; } = ulong.MaxValue;

        /// <summary>Gets the acknowledged seqs and whether each came as a replay.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<ulong, bool> Acked { get; } = new();

        public CircuitState BreakerState => Down ? CircuitState.Open : CircuitState.Closed;

        public Task<SendOutcome> SendAsync(ReadOnlyMemory<byte> payload, BatchKey key, CancellationToken cancellationToken) =>
            Task.FromResult(Decide(payload, key.Seq));

        private SendOutcome Decide(ReadOnlyMemory<byte> payload, ulong seq)
        {
            TelemetryBatch batch = TelemetryBatch.Parser.ParseFrom(payload.Span);
            Assert.That(batch.Seq, Is.EqualTo(seq), "the bytes are the batch the uplink says they are");
            if (Down)
            {
                return new SendOutcome(SendResult.Failed, new Status(StatusCode.Unavailable, "down"), TimeSpan.Zero);
            }

            if (seq == RejectSeq)
            {
                return new SendOutcome(SendResult.Rejected, new Status(StatusCode.InvalidArgument, "rejected"), TimeSpan.Zero);
            }

            Assert.That(Acked.TryAdd(seq, batch.Replay), Is.True, $"seq {seq} acknowledged twice");
            return new SendOutcome(SendResult.Acked, Status.DefaultSuccess, TimeSpan.Zero);
        }

        public void Dispose()
        {
        }
    }
}
