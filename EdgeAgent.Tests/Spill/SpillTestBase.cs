using EdgeAgent.Configuration;
using EdgeAgent.Spill;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Spill;

/// <summary>A temp spill directory per test, options, keys and payloads that identify themselves.</summary>
public abstract class SpillTestBase
{
    protected const string Robot = "robot-7";
    protected const string Boot = "boot-a";

    protected string Dir { get; private set; } = null!;

    protected FakeTimeProvider Time { get; private set; } = null!;

    [SetUp]
    public void CreateDirectory()
    {
        Dir = Path.Combine(System.IO.Directory.CreateTempSubdirectory("edge-agent-spill-").FullName, "spill");
        Time = new FakeTimeProvider();
    }

    [TearDown]
    public void DeleteDirectory() => System.IO.Directory.Delete(Path.GetDirectoryName(Dir)!, recursive: true);

    internal SpillOptions Options(long segmentBytes = 64 << 10, long quotaBytes = 1L << 30, long commitBytes = 1 << 20, int commitMs = 50) => new()
    {
        Directory = Dir,
        SegmentBytes = segmentBytes,
        QuotaBytes = quotaBytes,
        CommitBytes = commitBytes,
        CommitInterval = TimeSpan.FromMilliseconds(commitMs),
        Fsync = false,
    };

    internal SpillLog Open(SpillOptions? options = null) => SpillLog.Open(options ?? Options(), NullLogger.Instance, Time);

    internal static BatchKey Key(int seq) => new(Robot, Boot, (ulong)seq);

    /// <summary>A payload whose bytes are derived from its seq (so a mix-up is visible).</summary>
    internal static byte[] Payload(int seq, int size = 3000)
    {
        var bytes = new byte[size];
        new Random(seq).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Appends seq 0..count-1 and returns their positions.</summary>
    internal static List<SpillPosition> AppendMany(SpillLog log, int count, int size = 3000, int first = 0)
    {
        var positions = new List<SpillPosition>();
        for (int i = first; i < first + count; i++)
        {
            positions.Add(log.Append(Key(i), Payload(i, size)));
        }

        return positions;
    }

    /// <summary>Reads every available record, checking each payload against its seq.</summary>
    internal static List<int> ReadSeqs(SpillLog log, int size = 3000)
    {
        using SpillCursor cursor = log.OpenCursor();
        return ReadSeqs(cursor, size);
    }

    internal static List<int> ReadSeqs(SpillCursor cursor, int size = 3000)
    {
        var seqs = new List<int>();
        while (cursor.TryRead(out SpillRecord record))
        {
            int seq = (int)record.Key.Seq;
            Assert.That(record.Key, Is.EqualTo(Key(seq)));
            Assert.That(record.Payload.ToArray(), Is.EqualTo(Payload(seq, size)), $"payload of seq {seq}");
            seqs.Add(seq);
        }

        return seqs;
    }

    protected string[] SegmentFiles() => [.. System.IO.Directory.GetFiles(Dir, "*.seg").Order(StringComparer.Ordinal)];
}
