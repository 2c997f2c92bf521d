using EdgeAgent.Spill;

namespace EdgeAgent.Tests.Spill;

public sealed class SpillLogTests : SpillTestBase
{
    [Test]
    public void Append_CommitAndReopen_EverythingInOrderWithKeys()
    {
        using (SpillLog log = Open())
        {
            AppendMany(log, 50);
            log.Commit();
        }

        using SpillLog reopened = Open();
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(reopened), Is.EqualTo(Enumerable.Range(0, 50)));
            Assert.That(reopened.Recovery.RecordsRecovered, Is.EqualTo(50));
            Assert.That(reopened.Statistics.PendingRecords, Is.EqualTo(50));
        });
    }

    [Test]
    public void Cursor_ReadsWhatWasAppendedAfterItOpened_AndRefusesOnceTheLogIsClosed()
    {
        SpillLog log = Open();
        using SpillCursor cursor = log.OpenCursor();
        Assert.That(cursor.TryRead(out _), Is.False, "nothing appended yet");
        AppendMany(log, 2);
        Assert.That(cursor.TryRead(out _), Is.False, "appended but not committed: not handed out");
        log.Commit();
        Assert.That(cursor.TryRead(out SpillRecord first), Is.True);
        Assert.That(first.Key.Seq, Is.Zero);

        log.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cursor.TryRead(out _), "a cursor must not read an index whose files are closed");
    }

    [Test]
    public void Dispose_UncommittedAppends_CommittedOnDispose()
    {
        using (SpillLog log = Open())
        {
            AppendMany(log, 5);
        }

        using SpillLog reopened = Open();
        Assert.That(ReadSeqs(reopened), Is.EqualTo(Enumerable.Range(0, 5)));
    }

    [Test]
    public void Abandon_CrashAfterCommit_CommittedSurviveUncommittedNotPromised()
    {
        SpillLog log = Open();
        AppendMany(log, 10);
        log.Commit();
        AppendMany(log, 3, first: 10);
        log.Abandon();

        using SpillLog reopened = Open();
        Assert.That(ReadSeqs(reopened), Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [Test]
    public void Append_SegmentBytesReached_RollsAndReadsAcrossSegments()
    {
        using (SpillLog log = Open(Options(segmentBytes: 16 << 10)))
        {
            AppendMany(log, 30);
        }

        Assert.That(SegmentFiles(), Has.Length.GreaterThanOrEqualTo(5));
        using SpillLog reopened = Open(Options(segmentBytes: 16 << 10));
        Assert.That(ReadSeqs(reopened), Is.EqualTo(Enumerable.Range(0, 30)));
    }

    [Test]
    public void Append_IdleLog_CommitsAfterCommitInterval()
    {
        using SpillLog log = Open();
        SpillPosition position = log.Append(Key(1), Payload(1));
        Task durable = log.WhenDurable(position);

        Time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Multiple(() =>
        {
            Assert.That(log.CommittedThrough, Is.LessThanOrEqualTo(position));
            Assert.That(durable.IsCompleted, Is.False);
            Assert.That(log.Statistics.Committed, Is.Zero);
        });

        Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Multiple(() =>
        {
            Assert.That(log.CommittedThrough, Is.GreaterThan(position));
            Assert.That(durable.Wait(TimeSpan.FromSeconds(5)), Is.True);
            Assert.That(log.Statistics.Committed, Is.EqualTo(1));
        });
    }

    [Test]
    public void Append_CommitBytesReached_CommitsWithoutTime()
    {
        using SpillLog log = Open(Options(commitBytes: 4096));
        SpillPosition first = log.Append(Key(0), Payload(0, 1000));
        Assert.That(log.CommittedThrough, Is.LessThanOrEqualTo(first));
        List<SpillPosition> more = AppendMany(log, 3, size: 1000, first: 1);

        Assert.Multiple(() =>
        {
            Assert.That(log.CommittedThrough, Is.GreaterThan(more[^1]));
            Assert.That(log.WhenDurable(first).IsCompleted, Is.True);
            Assert.That(log.Statistics.Committed, Is.EqualTo(4));
        });
    }

    [Test]
    public void OpenCursor_UncommittedRecords_NotRead()
    {
        using SpillLog log = Open();
        AppendMany(log, 3);
        Assert.That(ReadSeqs(log), Is.Empty);
        log.Commit();
        Assert.That(ReadSeqs(log), Is.EqualTo(new[] { 0, 1, 2 }));
    }

    [Test]
    public void Acknowledge_OutOfOrder_MarkAdvancesOnlyOverContiguous()
    {
        using SpillLog log = Open();
        List<SpillPosition> p = AppendMany(log, 5);
        log.Commit();

        log.Acknowledge(p[0]);
        log.Acknowledge(p[1]);
        log.Acknowledge(p[3]);
        Assert.That(log.AcknowledgedThrough, Is.EqualTo(p[2]));
        Assert.That(ReadSeqs(log), Is.EqualTo(new[] { 2, 4 }));

        log.Acknowledge(p[2]);
        Assert.Multiple(() =>
        {
            Assert.That(log.AcknowledgedThrough, Is.EqualTo(p[4]));
            Assert.That(log.Statistics.Acknowledged, Is.EqualTo(4));
            Assert.That(log.Statistics.PendingRecords, Is.EqualTo(1));
        });
    }

    [Test]
    public void Acknowledge_WholeSegment_SegmentFileDeleted()
    {
        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        List<SpillPosition> p = AppendMany(log, 20);
        log.Commit();
        string firstSegment = SegmentFiles()[0];
        List<SpillPosition> inFirst = [.. p.Where(x => x.Segment == p[0].Segment)];

        foreach (SpillPosition position in inFirst.Skip(1))
        {
            log.Acknowledge(position);
        }

        Assert.That(File.Exists(firstSegment), Is.True, "the mark has not passed it");
        log.Acknowledge(inFirst[0]);
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(firstSegment), Is.False);
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(inFirst.Count, 20 - inFirst.Count)));
        });
    }

    // Issue 8.1: in `always` mode each batch is appended, committed, sent and acknowledged before the next; the
    // mark sat at the end of the active segment when it rolled and stopped there, so every later ack was kept
    // only in memory and the next start resent everything after the first roll.
    [TestCase(false)]
    [TestCase(true)]
    public void Acknowledge_EachBatchBeforeTheNext_MarkFollowsAcrossRollsAndReopenHasNothingPending(bool commitEach)
    {
        var options = Options(segmentBytes: 16 << 10);
        using (SpillLog log = Open(options))
        {
            for (int i = 0; i < 40; i++)
            {
                SpillPosition position = log.Append(Key(i), Payload(i));
                if (commitEach)
                {
                    log.Commit();
                }

                log.Acknowledge(position);
            }

            Assert.Multiple(() =>
            {
                Assert.That(log.Statistics.PendingRecords, Is.Zero);
                Assert.That(log.AcknowledgedThrough, Is.GreaterThanOrEqualTo(log.CommittedThrough), "the mark is at the end of the log");
                Assert.That(SegmentFiles(), Has.Length.EqualTo(1), "every sealed, wholly acknowledged segment is deleted");
            });
        }

        using SpillLog reopened = Open(options);
        Assert.Multiple(() =>
        {
            Assert.That(reopened.Recovery.PendingRecords, Is.Zero, "nothing to resend after a clean stop");
            Assert.That(ReadSeqs(reopened), Is.Empty);
        });
    }

    [Test]
    public void Acknowledge_Reopen_MarkAndOutOfOrderAcksSurvive()
    {
        using (SpillLog log = Open())
        {
            List<SpillPosition> p = AppendMany(log, 6);
            log.Commit();
            log.Acknowledge(p[0]);
            log.Acknowledge(p[1]);
            log.Acknowledge(p[3]);
            log.Acknowledge(p[4]);
        }

        using SpillLog reopened = Open();
        Assert.That(ReadSeqs(reopened), Is.EqualTo(new[] { 2, 5 }), "3 and 4 were acked beyond the mark: a clean stop keeps that too");
    }

    [Test]
    public void Acknowledge_CrashBeforeCommit_OutOfOrderAcksReplayedNeverLost()
    {
        SpillLog log = Open();
        List<SpillPosition> p = AppendMany(log, 6);
        log.Commit();
        log.Acknowledge(p[0]);
        log.Acknowledge(p[3]);
        log.Abandon(); // within the commit interval of the acks: neither reached the disk

        using SpillLog reopened = Open();
        Assert.That(ReadSeqs(reopened), Is.EqualTo(new[] { 0, 1, 2, 3, 4, 5 }), "at-least-once: replayed, never lost");
    }

    [Test]
    public void Acknowledge_IdleLog_MarkPersistedWithinCommitInterval()
    {
        SpillLog log = Open();
        List<SpillPosition> p = AppendMany(log, 4);
        log.Commit();
        log.Acknowledge(p[0]);
        log.Acknowledge(p[1]);
        Time.Advance(TimeSpan.FromMilliseconds(50));
        log.Abandon();

        using SpillLog reopened = Open();
        Assert.That(ReadSeqs(reopened), Is.EqualTo(new[] { 2, 3 }));
    }

    [Test]
    public void Append_PastQuota_DropsOldestSegmentsAndCountsExactly()
    {
        var options = Options(segmentBytes: 16 << 10, quotaBytes: 64 << 10);
        using SpillLog log = Open(options);
        List<SpillPosition> p = AppendMany(log, 10);
        log.Commit();
        log.Acknowledge(p[0]);
        log.Acknowledge(p[2]); // beyond the mark: still acked, so not counted as dropped
        AppendMany(log, 90, first: 10);
        log.Commit();

        List<int> remaining = ReadSeqs(log);
        SpillStatistics stats = log.Statistics;
        int deleted = remaining[0];
        int ackedAmongDeleted = new[] { 0, 2 }.Count(s => s < deleted);
        Assert.Multiple(() =>
        {
            Assert.That(remaining, Is.EqualTo(Enumerable.Range(deleted, 100 - deleted)));
            Assert.That(stats.DroppedBatches, Is.EqualTo(deleted - ackedAmongDeleted));
            Assert.That(stats.DroppedSegments, Is.GreaterThan(0));
            Assert.That(stats.DiskBytes, Is.LessThanOrEqualTo(options.QuotaBytes));
            Assert.That(stats.DiskBytes, Is.EqualTo(SegmentFiles().Sum(f => new FileInfo(f).Length)));
            Assert.That(stats.PendingRecords, Is.EqualTo(remaining.Count));
        });
    }

    [Test]
    public void Cursor_SegmentRollsWhileReading_ReadsEverythingOnce()
    {
        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        using SpillCursor cursor = log.OpenCursor();
        var read = new List<int>();
        for (int batch = 0; batch < 6; batch++)
        {
            AppendMany(log, 7, first: batch * 7);
            log.Commit();
            read.AddRange(ReadSeqs(cursor));
        }

        Assert.That(read, Is.EqualTo(Enumerable.Range(0, 42)));
    }

    [Test]
    public void Cursor_QuotaDropsItsSegment_ContinuesAtOldestRemaining()
    {
        using SpillLog log = Open(Options(segmentBytes: 16 << 10, quotaBytes: 64 << 10));
        AppendMany(log, 5);
        log.Commit();
        using SpillCursor cursor = log.OpenCursor();
        Assert.That(cursor.TryRead(out SpillRecord first), Is.True);
        Assert.That(first.Key.Seq, Is.Zero);

        AppendMany(log, 60, first: 5);
        log.Commit();

        List<int> rest = ReadSeqs(cursor);
        long dropped = log.Statistics.DroppedBatches;
        Assert.Multiple(() =>
        {
            Assert.That(rest[0], Is.EqualTo((int)dropped), "the first record of the oldest remaining segment");
            Assert.That(rest, Is.EqualTo(Enumerable.Range(rest[0], 65 - rest[0])));
        });
    }

    [Test]
    public void Open_UnusableDirectory_ThrowsNamingPathAndFix()
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Dir)!);
        File.WriteAllText(Dir, "a file where the directory should be");

        IOException? ex = Assert.Throws<IOException>(() => Open());
        Assert.That(ex!.Message, Does.Contain(Dir).And.Contain("Fix:"));
    }

    [Test]
    public void Open_NewDirectory_Mode0700()
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False);
        using SpillLog log = Open();
        Assert.That(OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(Dir), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }
}
