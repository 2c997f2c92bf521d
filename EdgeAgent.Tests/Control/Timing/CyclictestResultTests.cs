using System.Runtime.CompilerServices;
using EdgeAgent.Control.Timing;

namespace EdgeAgent.Tests.Control.Timing;

[TestFixture]
public sealed class CyclictestResultTests
{
    // Captured on the development VM (Debian 12, rt-tests 2.40):
    // cyclictest -m -t1 -p 80 -i 1000 -l 2000 -q -h 2000   and   ... -l 300 -q -h 20
    private static string TestData(string name, [CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "TestData", name));

    [Test]
    public void Parse_CapturedIdleRun_ReadsSummaryAndPercentiles()
    {
        var result = CyclictestResult.Parse(TestData("cyclictest-idle-1khz.txt"));

        Assert.That(result.Count, Is.EqualTo(2000));
        Assert.That(result.Overflows, Is.Zero);
        Assert.That(result.MinUs, Is.EqualTo(12));
        Assert.That(result.AvgUs, Is.EqualTo(19));
        Assert.That(result.MaxUs, Is.EqualTo(305));
        Assert.That(result.ValueAtPercentileUs(50), Is.EqualTo(15));    // cumulative 1103 of 2000 at 15 µs
        Assert.That(result.ValueAtPercentileUs(99), Is.EqualTo(37));    // rank 1980: 1976 up to 36, 1981 up to 37
        Assert.That(result.ValueAtPercentileUs(99.9), Is.EqualTo(61));  // rank 1998: 1997 up to 56, 1998 up to 61
        Assert.That(result.ValueAtPercentileUs(100), Is.EqualTo(305));
    }

    [Test]
    public void Parse_CapturedRunWithOverflow_CountsOverflows_APercentilePastTheRangeHasNoFigure()
    {
        var result = CyclictestResult.Parse(TestData("cyclictest-overflow.txt"));

        Assert.That(result.HistogramTotal, Is.EqualTo(299));
        Assert.That(result.Overflows, Is.EqualTo(1));
        Assert.That(result.Count, Is.EqualTo(300));
        Assert.That(result.MaxUs, Is.EqualTo(22));
        Assert.That(result.ValueAtPercentileUs(50), Is.EqualTo(14));    // rank 150: 42 at 13, 251 at 14
        Assert.That(result.ValueAtPercentileUs(99), Is.EqualTo(16));    // rank 297 = 42+209+33+13
        Assert.That(result.ValueAtPercentileUs(99.9), Is.Null);          // rank 300 is the overflow: only known to be past the range
        Assert.That(result.RangeUs, Is.EqualTo(20), "captured with -h 20: rows 0..19");
    }

    [Test]
    public void Parse_TwoThreadColumnsAndCrLf_SumsColumns()
    {
        const string Text = "# Histogram\r\n000001 000002 000003\r\n000004 000000 000005\r\n# Total: 000000002 000000008\r\n# Max Latencies: 00004 00004\r\n# Histogram Overflows: 00000 00000\r\n";

        var result = CyclictestResult.Parse(Text);

        Assert.That(result.Count, Is.EqualTo(10));
        Assert.That(result.ValueAtPercentileUs(50), Is.EqualTo(1));
        Assert.That(result.ValueAtPercentileUs(60), Is.EqualTo(4));
        Assert.That(result.MaxUs, Is.EqualTo(4));
    }

    [Test]
    public void Parse_NoHistogram_Throws()
    {
        Assert.That(() => CyclictestResult.Parse("cyclictest: invalid option -- 'n'\n"), Throws.TypeOf<FormatException>());
    }

    [Test]
    public void BuildArguments_PinnedMotorLoop_MirrorsTheLoop()
    {
        var settings = new LoopSettings("motor", TimeSpan.FromMilliseconds(1), 80, 1, true, TimeSpan.FromMicroseconds(100), TimeSpan.FromMicroseconds(1));

        var arguments = CyclictestRunner.BuildArguments(settings, TimeSpan.FromSeconds(30), nanosleepFlag: false);

        Assert.That(arguments, Is.EqualTo(new[] { "-m", "-t1", "-p", "80", "-i", "1000", "-l", "30000", "-q", "-h", "100000", "-a", "1" }));
        Assert.That(CyclictestRunner.BuildArguments(settings with { Cpu = -1 }, TimeSpan.FromSeconds(1), nanosleepFlag: true), Does.Contain("-n").And.Not.Contain("-a"));
    }
}
