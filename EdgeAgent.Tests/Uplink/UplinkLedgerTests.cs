using EdgeAgent.Spill;
using EdgeAgent.Uplink;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Uplink;

/// <summary>
/// The ledger on its own (real spill files, a simulated clock, no sender): the memory budget, the outcomes
/// of a send and the replay's claims, with the books balanced after each step.
/// </summary>
public sealed class UplinkLedgerTests
{
    private static readonly SendOutcome Acked = new(SendResult.Acked, Status.DefaultSuccess, TimeSpan.Zero);
    private static readonly SendOutcome Failed = new(SendResult.Failed, new Status(StatusCode.Unavailable, "down"), TimeSpan.Zero);
    private static readonly SendOutcome Rejected = new(SendResult.Rejected, new Status(StatusCode.InvalidArgument, "bad batch"), TimeSpan.Zero);

    private string _dir = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("edge-agent-ledger-").FullName;
        _time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void OverTheMemoryBudget_TheOldestBatchesMoveToTheSpill()
    {
        using UplinkLedger ledger = Open(SpillMode.OnFailure, memoryQueueBytes: 2500);
        for (ulong seq = 0; seq < 5; seq++)
        {
            ledger.Add(Key(seq), new byte[1000]);
        }

        UplinkAccounting a = ledger.Accounting;
        Assert.Multiple(() =>
        {
            Assert.That(ledger.QueuedCount, Is.EqualTo(2), "2500 bytes hold two 1000-byte batches");
            Assert.That(a.PendingSpill, Is.EqualTo(3));
            Assert.That(a.PendingMemory, Is.EqualTo(2));
            Assert.That(a.Balanced, Is.True, a.ToString());
        });
        Assert.That(ledger.TryDequeue(out PendingBatch? next), Is.True);
        Assert.That(next!.Key.Seq, Is.EqualTo(3UL), "the newest stay in memory, the oldest were spilled");
        ledger.Settle(next, Acked, replayed: false);
    }

    [Test]
    public void FailedLiveSend_IsSpilled_ThenReplayedOnce_AndAcknowledged()
    {
        using UplinkLedger ledger = Open(SpillMode.OnFailure, memoryQueueBytes: 1 << 20);
        ledger.Add(Key(7), [1, 2, 3]);
        Assert.That(ledger.TryDequeue(out PendingBatch? live), Is.True);
        ledger.Settle(live!, Failed, replayed: false);
        Assert.That(ledger.Accounting.PendingSpill, Is.EqualTo(1), "a failed send goes to the spill: " + ledger.Accounting);

        _ = ledger.Spill.Commit(); // the replay reads only what is durable (the commit timer's job in a run)
        using SpillCursor cursor = ledger.OpenCursor();
        Assert.That(ledger.TryClaimNext(cursor, out SpillRecord record), Is.True);
        Assert.That(record.Key.Seq, Is.EqualTo(7UL));
        using (SpillCursor second = ledger.OpenCursor())
        {
            Assert.That(ledger.TryClaimNext(second, out _), Is.False, "a claimed record is not replayed twice at once");
        }

        ledger.Settle(new PendingBatch(record.Key, record.Payload.Span, record.Position), Acked, replayed: true);
        UplinkAccounting a = ledger.Accounting;
        Assert.Multiple(() =>
        {
            Assert.That(a.Acked, Is.EqualTo(1));
            Assert.That(a.PendingSpill, Is.Zero);
            Assert.That(ledger.Counters.Replayed, Is.EqualTo(1));
            Assert.That(a.Balanced, Is.True, a.ToString());
        });
    }

    [Test]
    public void RejectedBatch_IsDeadLetteredNotRetried()
    {
        using UplinkLedger ledger = Open(SpillMode.Always, memoryQueueBytes: 1 << 20);
        ledger.Add(Key(1), [9, 9]);
        Assert.That(ledger.Accounting.PendingSpill, Is.EqualTo(1), "always mode: in the spill before the send");
        Assert.That(ledger.TryDequeue(out PendingBatch? live), Is.True);
        ledger.Settle(live!, Rejected, replayed: false);
        UplinkAccounting a = ledger.Accounting;
        Assert.Multiple(() =>
        {
            Assert.That(a.DeadLettered, Is.EqualTo(1));
            Assert.That(a.PendingSpill, Is.Zero, "a rejected batch is acknowledged in the spill: never replayed");
            Assert.That(ledger.DeadLetter.Statistics.PendingRecords, Is.EqualTo(1));
            Assert.That(a.Balanced, Is.True, a.ToString());
        });
    }

    [Test]
    public void SlowDownFromTheUpstream_SetsThePace()
    {
        using UplinkLedger ledger = Open(SpillMode.OnFailure, memoryQueueBytes: 1 << 20);
        ledger.Add(Key(0), [1]);
        Assert.That(ledger.TryDequeue(out PendingBatch? live), Is.True);
        ledger.Settle(live!, Acked with { SlowDown = TimeSpan.FromSeconds(3) }, replayed: false);
        double seconds = (ledger.SlowDownUntil - _time.GetTimestamp()) / (double)_time.TimestampFrequency;
        Assert.That(seconds, Is.EqualTo(3).Within(0.001));
    }

    private static BatchKey Key(ulong seq) => new("robot-1", "boot-1", seq);

    private UplinkLedger Open(SpillMode mode, long memoryQueueBytes)
    {
        var options = new SpillOptions { Mode = mode, Directory = Path.Combine(_dir, "spill"), Fsync = false };
        SpillLog spill = SpillLog.Open(options, NullLogger.Instance, _time);
        SpillLog deadLetter = SpillLog.Open(new SpillOptions { Mode = SpillMode.Always, Directory = Path.Combine(_dir, "dead"), Fsync = false }, NullLogger.Instance, _time);
        return new UplinkLedger(spill, deadLetter, new UplinkCounters(), memoryQueueBytes, streaming: true, writeAhead: mode == SpillMode.Always, NullLogger.Instance, _time);
    }
}
