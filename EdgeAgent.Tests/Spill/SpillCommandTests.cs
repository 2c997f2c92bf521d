using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeAgent.Cli;
using EdgeAgent.Spill;

namespace EdgeAgent.Tests.Spill;

[NonParallelizable]
public sealed class SpillCommandTests : SpillTestBase
{
    [Test]
    public void Inspect_DamagedSpill_PrintsCountsAndDoesNotModifyDirectory()
    {
        List<SpillPosition> p;
        using (SpillLog log = Open(Options(segmentBytes: 16 << 10)))
        {
            p = AppendMany(log, 30);
            log.Commit();
            log.Acknowledge(p[0]);
            log.Acknowledge(p[1]);
        }

        SpillRecoveryTests.Damage(Path.Combine(Dir, SpillDirectoryScanner.SegmentFileName(p[10].Segment)), p[10].Offset + 100, b => b[0] ^= 1, 1);
        string last = Path.Combine(Dir, SpillDirectoryScanner.SegmentFileName(p[^1].Segment));
        File.AppendAllText(last, "torn");
        File.WriteAllText(Path.Combine(Dir, "stray.txt"), "x");
        string before = HashDirectory();

        (int exit, string output) = Run("spill", "inspect", Dir);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(HashDirectory(), Is.EqualTo(before), "inspect is read-only");
            Assert.That(output, Does.Contain("records: 29 intact, 27 pending, 2 acknowledged"));
            Assert.That(output, Does.Contain("corrupt records: 1 "));
            Assert.That(output, Does.Contain("torn tail: 4 bytes"));
            Assert.That(output, Does.Contain("not segments: 1"));
            Assert.That(output, Does.Contain($"ack mark: {p[2]}"));
            Assert.That(output, Does.Contain($"robot {Robot} boot {Boot}: 29 records, seq 0..29"));
            Assert.That(output, Does.Contain($"oldest pending: robot {Robot} boot {Boot} seq 2 "));
        });
    }

    [Test]
    public void Inspect_MissingDirectory_ExitNoInput()
    {
        (int exit, _) = Run("spill", "inspect", Path.Combine(Dir, "missing"));
        Assert.That(exit, Is.EqualTo(66));
    }

    [Test]
    public void Export_Jsonl_OneObjectPerPendingRecord()
    {
        using (SpillLog log = Open())
        {
            List<SpillPosition> p = AppendMany(log, 5, size: 10);
            log.Commit();
            log.Acknowledge(p[0]);
        }

        string outFile = Path.Combine(Path.GetDirectoryName(Dir)!, "out.jsonl");
        (int exit, _) = Run("spill", "export", Dir, "--format", "jsonl", "--out", outFile);

        string[] lines = File.ReadAllLines(outFile);
        Assert.That(exit, Is.Zero);
        Assert.That(lines, Has.Length.EqualTo(4));
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Multiple(() =>
        {
            Assert.That(first.RootElement.GetProperty("robot_id").GetString(), Is.EqualTo(Robot));
            Assert.That(first.RootElement.GetProperty("boot_id").GetString(), Is.EqualTo(Boot));
            Assert.That(first.RootElement.GetProperty("seq").GetUInt64(), Is.EqualTo(1UL));
            Assert.That(first.RootElement.GetProperty("payload_base64").GetBytesFromBase64(), Is.EqualTo(Payload(1, 10)));
        });
    }

    [Test]
    public void Export_PayloadToJson_PayloadEmbedded()
    {
        using (SpillLog log = Open())
        {
            AppendMany(log, 2, size: 10);
        }

        string outFile = Path.Combine(Path.GetDirectoryName(Dir)!, "out.jsonl");
        var command = SpillCommand.Create(payload => $"{{\"bytes\":{payload.Length}}}");
        int exit = command.Parse(["export", Dir, "--out", outFile]).Invoke();

        using var doc = JsonDocument.Parse(File.ReadAllLines(outFile)[1]);
        Assert.That(exit, Is.Zero);
        Assert.That(doc.RootElement.GetProperty("payload").GetProperty("bytes").GetInt32(), Is.EqualTo(10));
    }

    private static (int Exit, string Output) Run(params string[] args)
    {
        var root = new System.CommandLine.RootCommand { SpillCommand.Create() };
        TextWriter stdout = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            int exit = root.Parse(args).Invoke();
            return (exit, captured.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
        }
    }

    private string HashDirectory()
    {
        var text = new StringBuilder();
        foreach (string file in System.IO.Directory.GetFiles(Dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            text.Append(file).Append(':').Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)))).Append('\n');
        }

        foreach (string dir in System.IO.Directory.GetDirectories(Dir, "*", SearchOption.AllDirectories))
        {
            text.Append(dir).Append('\n');
        }

        return text.ToString();
    }
}
