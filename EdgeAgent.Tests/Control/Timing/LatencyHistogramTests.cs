using EdgeAgent.Control.Timing;

namespace EdgeAgent.Tests.Control.Timing;

[TestFixture]
public sealed class LatencyHistogramTests
{
    private const double BucketError = 1.0 / 64;   // the documented bound: 1.6 %

    [Test]
    public void BucketIndex_AnyValue_FallsInABucketNarrowerThanTheBound()
    {
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            var value = (long)Math.Exp(random.NextDouble() * Math.Log(LatencyHistogram.HighestTrackableNs));
            var index = LatencyHistogram.BucketIndex(value);
            var lowest = LatencyHistogram.BucketLowest(index);
            var width = LatencyHistogram.BucketWidth(index);
            Assert.That(value, Is.InRange(lowest, lowest + width - 1), $"value {value}");
            Assert.That(width == 1 || (double)width / lowest <= BucketError, Is.True, $"value {value}");
        }

        Assert.That(LatencyHistogram.BucketIndex(LatencyHistogram.HighestTrackableNs), Is.EqualTo(LatencyHistogram.BucketCount - 1));
    }

    [Test]
    public void ValueAtPercentile_UniformDistribution_WithinBucketError()
    {
        var histogram = new LatencyHistogram();
        for (long v = 1; v <= 1_000_000; v++)
        {
            histogram.Record(v * 10);   // 10 ns .. 10 ms
        }

        var snapshot = histogram.Snapshot();
        Assert.That(snapshot.Count, Is.EqualTo(1_000_000));
        Assert.That(snapshot.Min, Is.EqualTo(10));
        Assert.That(snapshot.Max, Is.EqualTo(10_000_000));
        Assert.That(snapshot.Mean, Is.EqualTo(5_000_005.0).Within(0.001));
        foreach (var p in new[] { 1.0, 50.0, 90.0, 99.0, 99.9, 99.99 })
        {
            var exact = p / 100 * 10_000_000;
            Assert.That((double)snapshot.ValueAtPercentile(p), Is.EqualTo(exact).Within(BucketError * 100).Percent, $"p{p}");
        }

        Assert.That(snapshot.ValueAtPercentile(100), Is.EqualTo(10_000_000));
    }

    [Test]
    public void ValueAtPercentile_ExponentialDistribution_MatchesSortedValuesWithinBucketError()
    {
        var random = new Random(42);
        var values = new long[200_000];
        var histogram = new LatencyHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = 1_000 + (long)(-Math.Log(1 - random.NextDouble()) * 20_000);   // 1 µs + exp(mean 20 µs)
            histogram.Record(values[i]);
        }

        Array.Sort(values);
        var snapshot = histogram.Snapshot();
        foreach (var p in new[] { 50.0, 99.0, 99.9 })
        {
            var exact = (double)values[(int)Math.Ceiling(p / 100 * values.Length) - 1];
            Assert.That((double)snapshot.ValueAtPercentile(p), Is.EqualTo(exact).Within(BucketError * 100).Percent, $"p{p}");
        }
    }

    [Test]
    public void Record_SmallValues_AreExact()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(3);
        histogram.Record(3);
        histogram.Record(100);

        var snapshot = histogram.Snapshot();

        Assert.That(snapshot.ValueAtPercentile(50), Is.EqualTo(3));
        Assert.That(snapshot.ValueAtPercentile(99), Is.EqualTo(100));
    }

    [Test]
    public void Record_OutOfRange_ClampsBucketsAndKeepsExactExtremes()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(LatencyHistogram.HighestTrackableNs * 3);

        var snapshot = histogram.Snapshot();

        Assert.That(snapshot.Count, Is.EqualTo(2));
        Assert.That(snapshot.Min, Is.Zero);
        Assert.That(snapshot.Max, Is.EqualTo(LatencyHistogram.HighestTrackableNs * 3));
        Assert.That(snapshot.ValueAtPercentile(0), Is.Zero);
    }

    [Test]
    public void Snapshot_Empty_IsZero()
    {
        var snapshot = new LatencyHistogram().Snapshot();

        Assert.That(snapshot.Count, Is.Zero);
        Assert.That(snapshot.ValueAtPercentile(99), Is.Zero);
        Assert.That(snapshot.Mean, Is.Zero);
    }

    [Test]
    public void Subtract_EarlierSnapshot_GivesTheIntervalOnly()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 1000; i++)
        {
            histogram.Record(1_000);
        }

        var earlier = histogram.Snapshot();
        for (var i = 0; i < 1000; i++)
        {
            histogram.Record(100_000);
        }

        histogram.Record(250_000);
        var interval = histogram.Snapshot().Subtract(earlier);

        Assert.That(interval.Count, Is.EqualTo(1001));
        Assert.That(interval.ValueAtPercentile(50), Is.EqualTo(100_000).Within(BucketError * 100).Percent);
        Assert.That(interval.Min, Is.EqualTo(100_000).Within(BucketError * 100).Percent);
        Assert.That(interval.Max, Is.EqualTo(250_000));
        Assert.That(interval.Mean, Is.EqualTo((100_000_000.0 + 250_000) / 1001).Within(0.001));
        Assert.That(histogram.Snapshot().Subtract(histogram.Snapshot()).Count, Is.Zero);
    }

    [Test]
    public void Snapshot_WhileWriterRecords_NoExceptionsAndCountsNeverGoBack()
    {
        var histogram = new LatencyHistogram();
        using var stop = new CancellationTokenSource();
        const long Total = 5_000_000;
        var writer = new Thread(() =>
        {
            for (long i = 0; i < Total; i++)
            {
                histogram.Record(i % 100_000);
            }
        });
        writer.Start();

        var previous = LatencySnapshot.Empty;
        var snapshots = 0;
        while (writer.IsAlive || snapshots == 0)
        {
            var current = histogram.Snapshot();
            Assert.That(current.Count, Is.GreaterThanOrEqualTo(previous.Count));
            Assert.That(current.Subtract(previous).Count, Is.EqualTo(current.Count - previous.Count));
            _ = current.ValueAtPercentile(99.9);
            previous = current;
            snapshots++;
        }

        writer.Join();
        Assert.That(histogram.Snapshot().Count, Is.EqualTo(Total));
        Assert.That(histogram.Count, Is.EqualTo(Total));
    }

    [Test]
    public void Record_Repeatedly_AllocatesNothing()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            histogram.Record(i * 1_000L);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void CountAbove_CountsTheValuesPastTheThreshold()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 990; i++)
        {
            histogram.Record(3_000);
        }

        for (var i = 0; i < 10; i++)
        {
            histogram.Record(50_000);
        }

        var snapshot = histogram.Snapshot();
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.CountAbove(20_000), Is.EqualTo(10));
            Assert.That(snapshot.CountAbove(2_000), Is.EqualTo(1000));
            Assert.That(snapshot.CountAbove(100_000), Is.Zero);
        });
    }
}
