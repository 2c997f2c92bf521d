using EdgeAgent.Spill;

namespace EdgeAgent.Tests.Spill;

/// <summary>Damaged spills: Open succeeds, every intact record comes back, the damage is counted exactly.</summary>
public sealed class SpillRecoveryTests : SpillTestBase
{
    private const int Count = 40;

    [Test]
    public void Open_TruncatedTailMidRecord_TailTruncatedRestRecovered()
    {
        List<SpillPosition> p = Build();
        SpillPosition last = p[^1];
        string file = SegmentPath(last.Segment);
        Truncate(file, last.Offset + 100);

        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(0, Count - 1)));
            Assert.That(log.Recovery.TornTailsTruncated, Is.EqualTo(1));
            Assert.That(log.Recovery.TornTailBytes, Is.EqualTo(100));
            Assert.That(log.Recovery.CorruptRecordsSkipped, Is.Zero);
            Assert.That(new FileInfo(file).Length, Is.EqualTo(last.Offset));
        });
    }

    [Test]
    public void Open_FlippedByteInMiddleRecord_RecordSkippedAndCounted()
    {
        List<SpillPosition> p = Build();
        SpillPosition victim = p[17];
        Damage(SegmentPath(victim.Segment), victim.Offset + 1500, bytes => bytes[0] ^= 0x40, 1);

        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(0, Count).Where(s => s != 17)));
            Assert.That(log.Recovery.CorruptRecordsSkipped, Is.EqualTo(1));
            Assert.That(log.Statistics.CorruptRecordsSkipped, Is.EqualTo(1));
            Assert.That(log.Recovery.TornTailsTruncated, Is.Zero);
        });
    }

    [Test]
    public void Open_ZeroFilledPageInMiddle_OverlappedRecordsSkippedExactly()
    {
        List<SpillPosition> p = Build();
        ulong segment = p[10].Segment;
        const long pageStart = 8192;
        Damage(SegmentPath(segment), pageStart, bytes => bytes.AsSpan().Clear(), 4096);
        int[] lost = [.. Enumerable.Range(0, Count).Where(i => p[i].Segment == segment && p[i].Offset < pageStart + 4096 && p[i].Offset + RecordLength > pageStart)];

        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        Assert.Multiple(() =>
        {
            Assert.That(lost, Has.Length.GreaterThanOrEqualTo(2), "the page straddles a record boundary");
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(0, Count).Except(lost)));
            Assert.That(log.Recovery.CorruptRecordsSkipped, Is.EqualTo(lost.Length));
        });
    }

    [Test]
    public void Open_GarbageFileWithSegmentName_QuarantinedAllRecovered()
    {
        Build();
        string garbage = Path.Combine(Dir, "00000000000000000099.seg");
        File.WriteAllBytes(garbage, Payload(99, 5000));

        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(0, Count)));
            Assert.That(log.Recovery.FilesQuarantined, Is.EqualTo(1));
            Assert.That(log.Statistics.QuarantinedFiles, Is.EqualTo(1));
            Assert.That(File.Exists(garbage), Is.False);
            Assert.That(File.Exists(Path.Combine(Dir, "quarantine", "00000000000000000099.seg")), Is.True);
        });

        List<SpillPosition> appended = AppendMany(log, 20, first: Count);
        Assert.That(appended.Select(x => x.Segment), Has.None.EqualTo(99UL).And.Some.GreaterThan(99UL), "new segments are numbered past the quarantined name");
    }

    [Test]
    public void Open_RandomNonSegmentFile_QuarantinedAllRecovered()
    {
        Build();
        File.WriteAllText(Path.Combine(Dir, "notes.txt"), "left by an operator");

        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(0, Count)));
            Assert.That(log.Recovery.FilesQuarantined, Is.EqualTo(1));
            Assert.That(File.Exists(Path.Combine(Dir, "quarantine", "notes.txt")), Is.True);
        });
    }

    [Test]
    public void Open_DamagedAckFile_ReplaysFromOldestRecord()
    {
        using (SpillLog log = Open(Options(segmentBytes: 16 << 10)))
        {
            List<SpillPosition> p = AppendMany(log, Count);
            log.Commit();
            log.Acknowledge(p[0]);
            log.Acknowledge(p[1]);
        }

        string ack = Path.Combine(Dir, SpillAckFile.FileName);
        Damage(ack, 10, bytes => bytes[0] ^= 0xFF, 1);

        using SpillLog reopened = Open(Options(segmentBytes: 16 << 10));
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(reopened), Is.EqualTo(Enumerable.Range(0, Count)), "at-least-once: the acked records come again");
            Assert.That(reopened.Recovery.AckFileDamaged, Is.True);
            Assert.That(reopened.Recovery.FilesQuarantined, Is.EqualTo(1));
            Assert.That(reopened.Recovery.CorruptRecordsSkipped, Is.Zero);
        });
    }

    [Test]
    public void Open_EmptyNewestSegmentFile_DeletedAsTornTail()
    {
        Build();
        string empty = Path.Combine(Dir, "00000000000000000050.seg");
        File.WriteAllBytes(empty, []);

        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(0, Count)));
            Assert.That(log.Recovery.TornTailsTruncated, Is.EqualTo(1));
            Assert.That(log.Recovery.FilesQuarantined, Is.Zero);
        });
    }

    [Test]
    public void Open_DamagedThenAppendAndReopen_StillConsistent()
    {
        List<SpillPosition> p = Build();
        Damage(SegmentPath(p[5].Segment), p[5].Offset + 200, bytes => bytes[0] ^= 1, 1);
        using (SpillLog log = Open(Options(segmentBytes: 16 << 10)))
        {
            AppendMany(log, 5, first: Count);
        }

        using SpillLog reopened = Open(Options(segmentBytes: 16 << 10));
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(reopened), Is.EqualTo(Enumerable.Range(0, Count + 5).Where(s => s != 5)));
            Assert.That(reopened.Recovery.CorruptRecordsSkipped, Is.EqualTo(1));
        });
    }

    private static long RecordLength => SpillRecordCodec.RecordLength(Robot.Length, Boot.Length, 3000);

    private List<SpillPosition> Build()
    {
        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        List<SpillPosition> positions = AppendMany(log, Count);
        Assert.That(positions.Select(x => x.Segment).Distinct().Count(), Is.GreaterThanOrEqualTo(4));
        return positions;
    }

    private string SegmentPath(ulong segment) => Path.Combine(Dir, SpillDirectoryScanner.SegmentFileName(segment));

    private static void Truncate(string file, long length)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }

    internal static void Damage(string file, long offset, Action<byte[]> change, int length)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var bytes = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        change(bytes);
        stream.Position = offset;
        stream.Write(bytes);
    }

    // Issue 8.4: start-up recovery touches only regular files it owns and never blocks on one.
    [Test]
    [CancelAfter(30_000)]
    public void Open_FifoNamedLikeASegment_QuarantinedWithoutOpeningIt()
    {
        Build();
        string fifo = Path.Combine(Dir, SpillDirectoryScanner.SegmentFileName(999));
        MakeFifo(fifo);

        var open = Task.Run(() => Open(Options(segmentBytes: 16 << 10)));
        Assert.That(open.Wait(TimeSpan.FromSeconds(20)), Is.True, "recovery blocked on the FIFO");
        using SpillLog log = open.Result;
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(0, Count)));
            Assert.That(log.Recovery.FilesQuarantined, Is.EqualTo(1));
            Assert.That(File.Exists(fifo) || SpillNative.TypeOf(fifo) != SpillFileType.Missing, Is.False, "moved away");
            Assert.That(SpillNative.TypeOf(Path.Combine(Dir, SpillDirectoryScanner.QuarantineDirectory, Path.GetFileName(fifo))), Is.EqualTo(SpillFileType.Special));
        });
    }

    [Test]
    public void Open_AckPathIsADirectory_QuarantinedAndTheMarkIsWrittenAgain()
    {
        List<SpillPosition> p = Build();
        File.Delete(Path.Combine(Dir, SpillAckFile.FileName));
        System.IO.Directory.CreateDirectory(Path.Combine(Dir, SpillAckFile.FileName));

        using (SpillLog log = Open(Options(segmentBytes: 16 << 10)))
        {
            Assert.That(log.Recovery.FilesQuarantined, Is.EqualTo(1));
            log.Acknowledge(p[0]);
            Assert.That(log.Commit(), Is.True, "the mark can be persisted again");
            Assert.That(log.IsUnwritable, Is.False);
        }

        Assert.That(SpillNative.TypeOf(Path.Combine(Dir, SpillAckFile.FileName)), Is.EqualTo(SpillFileType.Regular));
    }

    [Test]
    public void Open_SymbolicLinkNamedLikeASegment_NotFollowedQuarantined()
    {
        Build();
        string outside = Path.Combine(Path.GetDirectoryName(Dir)!, "outside.bin");
        File.WriteAllBytes(outside, new byte[4096]);
        string link = Path.Combine(Dir, SpillDirectoryScanner.SegmentFileName(998));
        File.CreateSymbolicLink(link, outside);

        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(0, Count)));
            Assert.That(log.Recovery.FilesQuarantined, Is.EqualTo(1));
            Assert.That(File.ReadAllBytes(outside), Has.Length.EqualTo(4096), "the link's target is untouched");
        });
    }

    [Test]
    public void Open_NewestSegmentExtendedToAHugeSparseFile_ReadsOnlyWhatRecordsClaimAndTruncates()
    {
        List<SpillPosition> p = Build();
        string newest = SegmentPath(p[^1].Segment);
        long real = new FileInfo(newest).Length;
        using (var stream = new FileStream(newest, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(64L << 30); // 64 GiB of holes: reading them all takes minutes
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using SpillLog log = Open(Options(segmentBytes: 16 << 10));
        TestContext.Out.WriteLine($"recovery of a 64 GiB sparse segment: {clock.ElapsedMilliseconds} ms");
        Assert.Multiple(() =>
        {
            Assert.That(ReadSeqs(log), Is.EqualTo(Enumerable.Range(0, Count)));
            Assert.That(new FileInfo(newest).Length, Is.EqualTo(real), "the hole past the last record is cut off");
            Assert.That(log.Recovery.TornTailsTruncated, Is.EqualTo(1));
        });
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit(10_000);
        Assert.That(mkfifo.ExitCode, Is.Zero, "mkfifo");
    }
}
