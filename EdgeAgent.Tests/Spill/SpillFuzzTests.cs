using EdgeAgent.Spill;

namespace EdgeAgent.Tests.Spill;

/// <summary>Random damage to a spill, reopened 200 times with a fixed seed: never throws, and every record is accounted for.</summary>
public sealed class SpillFuzzTests : SpillTestBase
{
    private const int Count = 60;
    private const int Iterations = 200;

    [Test]
    [Category("Stress")]
    public void Open_RandomlyCorrupted_NeverThrowsAndAccountsForEveryRecord()
    {
        string template = Path.Combine(Path.GetDirectoryName(Dir)!, "template");
        Dictionary<int, SpillPosition> original = BuildTemplate(template);
        var random = new Random(20240611);
        long totalCorrupt = 0;
        long totalTorn = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            CopyDirectory(template, Dir);
            string[] segments = SegmentFiles();
            int ranges = random.Next(1, 4);
            for (int r = 0; r < ranges; r++)
            {
                string file = segments[random.Next(segments.Length)];
                long length = new FileInfo(file).Length;
                long min = file == segments[0] ? SpillRecordCodec.SegmentHeaderBytes : 0; // see the note at the end
                long offset = min + random.NextInt64(length - min);
                int count = (int)Math.Min(length - offset, random.Next(1, 5000));
                bool zero = random.Next(3) == 0;
                SpillRecoveryTests.Damage(file, offset, bytes => Scramble(bytes, zero, random), count);
            }

            using SpillLog log = Open(Options(segmentBytes: 16 << 10));
            var recovered = new List<int>();
            using (SpillCursor cursor = log.OpenCursor())
            {
                while (cursor.TryRead(out SpillRecord record))
                {
                    int seq = (int)record.Key.Seq;
                    Assert.That(record.Position, Is.EqualTo(original[seq]), $"iteration {iteration}: seq {seq} moved");
                    Assert.That(record.Payload.ToArray(), Is.EqualTo(Payload(seq)), $"iteration {iteration}: seq {seq} payload");
                    recovered.Add(seq);
                }
            }

            long tailLost = TailLost(original);
            long corrupt = log.Statistics.CorruptRecordsSkipped;
            Assert.That(recovered, Is.Ordered.And.Unique, $"iteration {iteration}");
            Assert.That(recovered.Count + corrupt + tailLost, Is.EqualTo(Count), $"iteration {iteration}: {recovered.Count} recovered + {corrupt} corrupt + {tailLost} in the torn tail");
            totalCorrupt += corrupt;
            totalTorn += log.Recovery.TornTailsTruncated;
            log.Dispose();
            System.IO.Directory.Delete(Dir, recursive: true);
        }

        Assert.That(totalCorrupt, Is.GreaterThan(Iterations / 2), "the damage hit records");
        TestContext.Out.WriteLine($"{Iterations} iterations: {totalCorrupt} corrupt records counted, {totalTorn} torn tails");

        // Note: the first segment's header is spared. A segment whose header is damaged is quarantined whole;
        // its records are counted from the ordinal gap to the next segment, but the first segment has no
        // predecessor to measure from, so its lost records could not be counted exactly.
    }

    /// <summary>Records past the newest surviving segment's end were in a torn tail (or a quarantined newest segment): lost, not counted as corrupt.</summary>
    private long TailLost(Dictionary<int, SpillPosition> original)
    {
        string? newest = SegmentFiles().LastOrDefault();
        if (newest is null)
        {
            return original.Count;
        }

        _ = SpillDirectoryScanner.TryParseSegmentName(Path.GetFileName(newest), out ulong number);
        long end = new FileInfo(newest).Length;
        var endPosition = new SpillPosition(number, end);
        return original.Values.Count(p => p >= endPosition);
    }

    private static void Scramble(byte[] bytes, bool zero, Random random)
    {
        if (zero)
        {
            bytes.AsSpan().Clear();
        }
        else
        {
            random.NextBytes(bytes);
        }
    }

    private Dictionary<int, SpillPosition> BuildTemplate(string template)
    {
        List<SpillPosition> positions;
        using (SpillLog log = Open(Options(segmentBytes: 16 << 10)))
        {
            positions = AppendMany(log, Count);
        }

        CopyDirectory(Dir, template);
        System.IO.Directory.Delete(Dir, recursive: true);
        return Enumerable.Range(0, Count).ToDictionary(i => i, i => positions[i]);
    }

    private static void CopyDirectory(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (string file in System.IO.Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
