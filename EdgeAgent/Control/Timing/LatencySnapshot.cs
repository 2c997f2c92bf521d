namespace EdgeAgent.Control.Timing;

/// <summary>
/// An immutable copy of a <see cref="LatencyHistogram"/> (values in ns). Percentiles are bucket midpoints
/// clamped to [<see cref="Min"/>, <see cref="Max"/>]: within ~0.8 % of the true value.
/// </summary>
internal sealed class LatencySnapshot
{
    private readonly long[] _buckets;

    internal LatencySnapshot(long[] buckets, long count, long min, long max, long sum)
    {
        _buckets = buckets;
        Count = count;
        Min = count == 0 ? 0 : min;
        Max = count == 0 ? 0 : max;
        Sum = sum;
    }

    /// <summary>Gets an empty snapshot.</summary>
    public static LatencySnapshot Empty { get; } = new(new long[LatencyHistogram.BucketCount], 0, 0, 0, 0);

    /// <summary>Gets the number of values.</summary>
    public long Count { get; }

    /// <summary>Gets the smallest value (ns); 0 when empty. After <see cref="Subtract"/>, to bucket resolution.</summary>
    public long Min { get; }

    /// <summary>Gets the largest value (ns); 0 when empty. After <see cref="Subtract"/>, to bucket resolution.</summary>
    public long Max { get; }

    /// <summary>Gets the sum of the values (ns).</summary>
    public long Sum { get; }

    /// <summary>Gets the number of buckets (<see cref="LatencyHistogram.BucketCount"/>).</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>Gets the number of values in bucket <paramref name="index"/> (see <see cref="LatencyHistogram.BucketMidpoint"/>).</summary>
    /// <param name="index">0 .. <see cref="BucketCount"/> - 1.</param>
    /// <returns>The count.</returns>
    public long CountAt(int index) => _buckets[index];

    /// <summary>Gets the number of values in buckets above <paramref name="thresholdNs"/> (to bucket resolution).</summary>
    /// <param name="thresholdNs">The threshold (ns).</param>
    /// <returns>The count.</returns>
    public long CountAbove(long thresholdNs)
    {
        long count = 0;
        for (var i = _buckets.Length - 1; i >= 0 && LatencyHistogram.BucketMidpoint(i) > thresholdNs; i--)
        {
            count += _buckets[i];
        }

        return count;
    }

    /// <summary>Gets the mean (ns); 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>Gets the value (ns) at or below which <paramref name="percentile"/> % of the values are.</summary>
    /// <param name="percentile">0..100, e.g. 99.9.</param>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100.0);
        if (Count == 0)
        {
            return 0;
        }

        if (percentile >= 100.0)
        {
            return Max;
        }

        var rank = Math.Max(1L, (long)Math.Ceiling(Math.Round(percentile / 100.0 * Count, 6)));   // round first: 99.9 / 100 * 2000 is 1998.0000000000002
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= rank)
            {
                return Math.Clamp(LatencyHistogram.BucketMidpoint(i), Min, Max);
            }
        }

        return Max;
    }

    /// <summary>
    /// Gets the values recorded between <paramref name="earlier"/> and this snapshot (of the same histogram):
    /// the figures of one interval, e.g. the last second. Min and Max of the interval are to bucket resolution.
    /// </summary>
    public LatencySnapshot Subtract(LatencySnapshot earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var buckets = new long[_buckets.Length];
        long count = 0;
        int lowest = -1, highest = -1;
        for (var i = 0; i < buckets.Length; i++)
        {
            var c = Math.Max(0L, _buckets[i] - earlier._buckets[i]);
            buckets[i] = c;
            count += c;
            if (c > 0)
            {
                if (lowest < 0)
                {
                    lowest = i;
                }

                highest = i;
            }
        }

        if (count == 0)
        {
            return Empty;
        }

        var min = Math.Max(Min, LatencyHistogram.BucketLowest(lowest));
        var max = Math.Min(Max, LatencyHistogram.BucketLowest(highest) + LatencyHistogram.BucketWidth(highest) - 1);
        if (max < min)
        {
            max = min;
        }

        return new LatencySnapshot(buckets, count, min, max, Math.Max(0L, Sum - earlier.Sum));
    }
}
