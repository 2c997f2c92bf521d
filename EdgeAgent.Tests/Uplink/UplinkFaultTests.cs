using System.Diagnostics;
using EdgeAgent.Configuration;
using EdgeAgent.Uplink;
using Grpc.Core;

namespace EdgeAgent.Tests.Uplink;

/// <summary>The uplink against a real receiver's injected faults, over each transport (one stream, a call per batch).</summary>
[Category("Stress")]
[NonParallelizable]
[TestFixture(UplinkTransport.Stream)]
[TestFixture(UplinkTransport.Unary)]
public sealed class UplinkFaultTests(UplinkTransport transport)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private Task<UplinkRig> StartAsync(Action<AgentOptions>? configure = null, bool withReceiver = true, string? spillDirectory = null, EdgeAgent.Ingest.ReceiverOptions? receiverOptions = null, Action<EdgeAgent.Ingest.ReceiverFaults>? faultsBeforeStart = null) =>
        UplinkRig.StartAsync(
            o =>
            {
                o.Uplink.Transport = transport;
                configure?.Invoke(o);
            },
            withReceiver,
            spillDirectory,
            receiverOptions,
            faultsBeforeStart: faultsBeforeStart);

    [Test]
    public async Task Send_HealthyReceiver_EveryBatchOnceInOrder()
    {
        await using var rig = await StartAsync();

        rig.Produce(1000);

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Received.Samples == 1000, Bound), Is.True, $"received {rig.Received}");
        Assert.Multiple(() =>
        {
            Assert.That(rig.Received.Batches, Is.EqualTo(10));
            Assert.That(rig.Received.Gaps, Is.Zero);
            Assert.That(rig.Received.Duplicates, Is.Zero);
            Assert.That(rig.Uplink.Counters.Spilled, Is.Zero, "a healthy upstream means no disk writes in on_failure mode");
        });
    }

    [Test]
    public async Task Send_Gzip_DeliveredCompressed()
    {
        await using var rig = await StartAsync(o => o.Uplink.Gzip = true);

        rig.Produce(500);

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Received.Samples == 500, Bound), Is.True, $"received {rig.Received}");
    }

    [Test]
    public async Task Send_Unavailable_RetriedAndDelivered()
    {
        await using var rig = await StartAsync();
        rig.Receiver!.Faults.FailNext(2, StatusCode.Unavailable);

        rig.Produce(500);

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Received.Samples == 500, Bound), Is.True, $"received {rig.Received}");
        Assert.Multiple(() =>
        {
            Assert.That(rig.Uplink.Counters.Retries, Is.GreaterThanOrEqualTo(2));
            Assert.That(rig.Received.Gaps, Is.Zero);
            Assert.That(rig.Uplink.Counters.DeadLettered, Is.Zero);
        });
    }

    [Test]
    public async Task Send_ResourceExhaustedWithPushback_WaitsTheRequestedDelay()
    {
        var pushback = TimeSpan.FromMilliseconds(600);
        await using var rig = await StartAsync(o => o.Uplink.RetryBaseDelay = TimeSpan.FromMilliseconds(1));
        rig.Receiver!.Faults.ResourceExhausted(1, pushback);
        var clock = Stopwatch.StartNew();

        rig.Produce(100);

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Received.Batches == 1, Bound), Is.True);
        Assert.Multiple(() =>
        {
            // Without honouring the trailer the retry would come after ~1 ms of backoff.
            Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(pushback * 0.9));
            Assert.That(rig.Uplink.Counters.Retries, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Send_InvalidArgument_DeadLetteredOnceNeverRetried()
    {
        await using var rig = await StartAsync();
        rig.Receiver!.Faults.RejectSeq(3);

        rig.Produce(1000);

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Received.Batches == 9 && rig.Uplink.Counters.DeadLettered == 1, Bound), Is.True, $"received {rig.Received}");
        await Task.Delay(500);
        Assert.Multiple(() =>
        {
            Assert.That(rig.Uplink.Counters.DeadLettered, Is.EqualTo(1));
            Assert.That(rig.Uplink.DeadLetter.Statistics.Appended, Is.EqualTo(1), "kept in the dead-letter spill, not dropped");
            Assert.That(rig.Received.Gaps, Is.EqualTo(1), "seq 3 missing at the receiver");
            Assert.That(rig.Uplink.Counters.Retries, Is.Zero, "a permanent rejection is not retried");
            Assert.That(rig.Uplink.Spill.Statistics.PendingRecords, Is.Zero, "and not replayed");
        });
    }

    [Test]
    public async Task Send_ReceiverEndsTheStreamOnABadBatch_OnlyThatBatchDeadLettered()
    {
        // A receiver without per-batch REJECTED acks ends the whole stream with InvalidArgument: the batches that
        // were on it ask again over unary, which names the bad one; the others are delivered, none retried forever.
        await using var rig = await StartAsync();
        rig.Receiver!.Faults.EndStreamOnReject = true;
        rig.Receiver.Faults.RejectSeq(3);

        rig.Produce(1000);

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Received.Batches == 9 && rig.Uplink.Counters.DeadLettered == 1, Bound), Is.True, $"received {rig.Received}, dead-lettered {rig.Uplink.Counters.DeadLettered}");
        await Task.Delay(500);
        Assert.Multiple(() =>
        {
            Assert.That(rig.Uplink.Counters.DeadLettered, Is.EqualTo(1), "only seq 3");
            Assert.That(rig.Received.Gaps, Is.EqualTo(1));
            Assert.That(rig.Uplink.Spill.Statistics.PendingRecords, Is.Zero);
        });
    }

    [Test]
    public async Task Send_SlowerThanAttemptTimeout_RetriedThenSpilledThenReplayedWhenFast()
    {
        await using var rig = await StartAsync(o => o.Uplink.AttemptTimeout = TimeSpan.FromMilliseconds(200));
        rig.Receiver!.Faults.Delay(TimeSpan.FromSeconds(1));

        rig.Produce(300);
        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Uplink.Counters.Spilled >= 1, Bound), Is.True, "timed-out batches go to the spill");
        Assert.That(rig.Uplink.Counters.Retries, Is.GreaterThanOrEqualTo(1), "an attempt timeout is transient: retried first");
        rig.Receiver.Faults.Clear();

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Received.Samples == 300 && rig.Uplink.Spill.Statistics.PendingRecords == 0, Bound), Is.True, $"received {rig.Received}");
        Assert.Multiple(() =>
        {
            Assert.That(rig.Uplink.Counters.Replayed, Is.GreaterThanOrEqualTo(1));
            Assert.That(rig.Received.Gaps, Is.Zero);
        });
    }

    [Test]
    public async Task Stop_WhileReplayingIntoASlowUpstream_EndsWithinGraceAndKeepsEveryBatch()
    {
        string dir = Directory.CreateTempSubdirectory("edge-agent-stop-").FullName;
        try
        {
            await using (var recorder = await StartAsync(withReceiver: false, spillDirectory: dir))
            {
                recorder.Produce(500);
                Assert.That(await UplinkRig.WaitUntilAsync(() => recorder.Uplink.Counters.Spilled == 5, Bound), Is.True);
            }

            await using var rig = await StartAsync(
                o =>
                {
                    o.Uplink.AttemptTimeout = TimeSpan.FromSeconds(5);
                    o.Uplink.MaxRetries = 10;
                    o.Uplink.RetryBaseDelay = TimeSpan.FromSeconds(2);
                    o.Uplink.BreakerMinimumThroughput = 100;
                },
                spillDirectory: dir,
                faultsBeforeStart: faults => faults.Delay(TimeSpan.FromSeconds(30)));
            Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Uplink.Counters.BatchesSent >= 1, Bound), Is.True, "replay started");

            var clock = Stopwatch.StartNew();
            await rig.StopAsync();

            Assert.Multiple(() =>
            {
                // Without the stop grace the replay sends would sit in 5 s attempts and 2 s+ backoffs for minutes.
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)));
                Assert.That(rig.Uplink.Spill.Statistics.PendingRecords, Is.EqualTo(5), "nothing undelivered is lost");
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task Outage_LongerThanQuota_DropsOldestAndCountsExactlyWhatTheReceiverMisses()
    {
        await using var rig = await StartAsync(o =>
        {
            o.Spill.SegmentBytes = 64 * 1024;
            o.Spill.QuotaBytes = 128 * 1024;
        });
        rig.Receiver!.Faults.FailNext(int.MaxValue, StatusCode.Unavailable);

        rig.Produce(4000);
        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Uplink.Counters.BatchesBuilt == 40 && rig.Uplink.Counters.Spilled == 40, Bound), Is.True);
        long dropped = rig.Uplink.Spill.Statistics.DroppedBatches;
        rig.Receiver.Faults.Clear();

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Uplink.Spill.Statistics.PendingRecords == 0, Bound), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.GreaterThan(0), "the outage must really exceed the quota");
            // The spill holds batches in the order they failed (retries and the open breaker reorder them), so
            // which seqs are dropped varies; how many never arrive is exactly the spill's count.
            Assert.That(40 - rig.Received.Batches, Is.EqualTo(dropped), "the receiver misses exactly what the spill counted as dropped");
            Assert.That(rig.Received.Duplicates, Is.Zero);
        });
    }

    [Test]
    public async Task Spill_DamagedRecordAndGarbageFile_IntactRecordsDeliveredRestCounted()
    {
        string dir = Directory.CreateTempSubdirectory("edge-agent-corrupt-").FullName;
        try
        {
            await using (var recorder = await StartAsync(withReceiver: false, spillDirectory: dir))
            {
                recorder.Produce(1000);
                Assert.That(await UplinkRig.WaitUntilAsync(() => recorder.Uplink.Counters.Spilled == 10, Bound), Is.True);
            }

            string spill = Path.Combine(dir, "spill");
            string segment = Directory.GetFiles(spill).OrderByDescending(f => new FileInfo(f).Length).First();
            byte[] bytes = File.ReadAllBytes(segment);
            bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(segment, bytes);
            File.WriteAllBytes(Path.Combine(spill, "garbage.bin"), [1, 2, 3, 4, 5, 6, 7, 8]);

            await using var rig = await StartAsync(spillDirectory: dir);

            Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Uplink.Spill.Statistics.PendingRecords == 0 && rig.Received.Batches == 9, Bound), Is.True, $"received {rig.Received}");
            Assert.Multiple(() =>
            {
                Assert.That(rig.Uplink.Spill.Statistics.CorruptRecordsSkipped, Is.EqualTo(1));
                Assert.That(rig.Uplink.Spill.Statistics.QuarantinedFiles, Is.EqualTo(1));
                Assert.That(rig.Received.Samples, Is.EqualTo(900), "every intact record delivered");
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
