using EdgeAgent.Configuration;
using EdgeAgent.Spill;
using EdgeAgent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Spill;

/// <summary>Issue 8.3: a full disk is a state, not an error per commit (a real 1 MiB tmpfs the test mounts).</summary>
[NonParallelizable]
public sealed class SpillDiskFullTests
{
    private const int Size = 3000;

    [Test]
    public void DiskFills_EntersUnwritableOnceRefusesAppendsNeverThrowsRecoversWhenSpaceReturns()
    {
        using TmpfsMount fs = TmpfsMount.Create(1 << 20);
        var time = new FakeTimeProvider();
        var logger = new ListLogger();
        var options = new SpillOptions { Directory = Path.Combine(fs.Path, "spill"), SegmentBytes = 64 << 10, QuotaBytes = 64L << 20, CommitBytes = 16 << 10, CommitInterval = TimeSpan.FromMilliseconds(50), Fsync = true };
        using SpillLog log = SpillLog.Open(options, logger, time);

        int appended = 0;
        int refused = 0;
        for (int i = 0; i < 1000; i++)
        {
            if (log.TryAppend(SpillTestBase.Key(i), SpillTestBase.Payload(i, Size), out _))
            {
                appended++;
            }
            else
            {
                refused++;
            }

            time.Advance(TimeSpan.FromMilliseconds(10)); // commit timer and retries run
        }

        string[] warnings = [.. logger.Lines.Where(l => l.Contains("cannot be written", StringComparison.Ordinal))];
        Assert.Multiple(() =>
        {
            Assert.That(log.IsUnwritable, Is.True);
            Assert.That(refused, Is.GreaterThan(500), "a 1 MiB disk holds about 330 batches of 3 kB");
            Assert.That(warnings, Has.Length.EqualTo(1), "one warning for the episode, not one per commit");
            Assert.That(warnings[0], Does.Contain(options.Directory).And.Contain("bytes free").And.Contain("quota"));
            Assert.That(logger.Lines, Has.None.Contains("   at "), "no stack traces");
            Assert.That(log.Commit(), Is.False, "a commit on a full disk reports, never throws");
            Assert.That(log.Statistics.Refused, Is.EqualTo(refused));
        });

        // Acknowledge everything durable: the mark passes whole segments, which are deleted, and space returns.
        using (SpillCursor cursor = log.OpenCursor())
        {
            while (cursor.TryRead(out SpillRecord record))
            {
                log.Acknowledge(record.Position);
            }
        }

        time.Advance(SpillDiskHealth.Retry * 2);
        Assert.Multiple(() =>
        {
            Assert.That(log.IsUnwritable, Is.False, "left the state after a retry");
            Assert.That(logger.Lines.Count(l => l.Contains("is writable again", StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(log.TryAppend(SpillTestBase.Key(5000), SpillTestBase.Payload(5000, Size), out _), Is.True);
        });
    }

    [Test]
    public void DiskFullAtClose_BufferedBatchesCountedAsDroppedNotLostSilently()
    {
        using TmpfsMount fs = TmpfsMount.Create(1 << 20);
        var time = new FakeTimeProvider();
        var options = new SpillOptions { Directory = Path.Combine(fs.Path, "spill"), SegmentBytes = 64 << 10, QuotaBytes = 64L << 20, CommitBytes = 1 << 20, CommitInterval = TimeSpan.FromSeconds(10), Fsync = true };
        SpillLog log = SpillLog.Open(options, new ListLogger(), time);
        SpillTestBase.AppendMany(log, 5, Size);
        Assert.That(log.Commit(), Is.True);
        fs.Fill("filler");
        SpillTestBase.AppendMany(log, 3, Size, first: 5); // buffered; the disk is full now

        log.Dispose();

        SpillStatistics s = log.Statistics;
        Assert.Multiple(() =>
        {
            Assert.That(s.DroppedDiskFull, Is.EqualTo(3), "the three buffered batches could not be written at close");
            Assert.That(s.PendingRecords, Is.EqualTo(5), "the durable ones remain");
        });
    }
}
