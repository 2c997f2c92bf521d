using System.Numerics;
using System.Runtime.CompilerServices;

namespace EdgeAgent.Control.Timing;

// Design: a log-linear (HDR-like) histogram of durations in nanoseconds, one writer, any number of readers.
//
// Buckets: values below 128 ns have a bucket each; above, every power of two [2^m, 2^(m+1)) is cut into
// 64 equal buckets, so a bucket is at most 1/64 (1.56 %) of the values in it wide; the value reported
// for a bucket is its midpoint, so the relative error is at most ~0.8 %. Range 0..10 s (1,856 buckets,
// 15 KB, allocated once); a larger value is counted in the last bucket, a negative one as 0; Max and
// Min keep the exact extremes.
//
// Writer (the loop thread, Record): plain read-modify-write of its own bucket (single writer: no race
// between writers, so no Interlocked), then Volatile.Write of the total count (release: a reader that
// sees the new count also sees the bucket). Min/Max/Sum are written plainly. On a 64-bit process a
// long store is atomic, so a reader never sees a torn value (32-bit processes are not supported).
//
// Readers (Snapshot, any thread): copy the buckets one by one with plain reads. The copy is not an
// atomic cut: records that land during the copy may be seen in some buckets and not yet in others, and
// Sum/Min/Max may be one record ahead or behind. The snapshot takes its Count as the sum of the buckets
// it copied, so its percentiles are self-consistent; every bucket only grows, so successive snapshots
// never go backwards (Subtract never sees a negative bucket).
/// <summary>
/// A preallocated, allocation-free latency histogram. One thread records; other threads take snapshots.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>The largest value that is bucketed precisely: 10 s in nanoseconds.</summary>
    public const long HighestTrackableNs = 10_000_000_000L;

    private const int LinearBits = 7;            // values < 2^7 have one bucket each
    private const int SubBucketCount = 1 << (LinearBits - 1);   // 64 buckets per power of two above that
    private const int LinearCount = 1 << LinearBits;            // 128

    private readonly long[] _buckets = new long[BucketCount];
    private long _count;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max = long.MinValue;

    /// <summary>Gets the number of buckets.</summary>
    public static int BucketCount { get; } = BucketIndex(HighestTrackableNs) + 1;

    /// <summary>Gets the number of values recorded so far.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Records one value (ns). Allocation-free; call from the single writer thread only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long valueNs)
    {
        if (valueNs < 0)
        {
            valueNs = 0;
        }

        var index = BucketIndex(valueNs > HighestTrackableNs ? HighestTrackableNs : valueNs);
        _buckets[index]++;
        _sum += valueNs;
        if (valueNs < _min)
        {
            _min = valueNs;
        }

        if (valueNs > _max)
        {
            _max = valueNs;
        }

        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Takes a snapshot of the values recorded so far (reader side; allocates the copy).</summary>
    public LatencySnapshot Snapshot()
    {
        var copy = new long[_buckets.Length];
        _ = Volatile.Read(ref _count);   // acquire: the buckets read below are at least this fresh
        long count = 0;
        for (var i = 0; i < copy.Length; i++)
        {
            var c = Volatile.Read(ref _buckets[i]);
            copy[i] = c;
            count += c;
        }

        var min = Volatile.Read(ref _min);
        var max = Volatile.Read(ref _max);
        var sum = Volatile.Read(ref _sum);
        return count == 0 ? LatencySnapshot.Empty : new LatencySnapshot(copy, count, min, max, sum);
    }

    /// <summary>Gets the bucket a value (0..<see cref="HighestTrackableNs"/>) falls in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int BucketIndex(long valueNs)
    {
        if (valueNs < LinearCount)
        {
            return (int)valueNs;
        }

        var msb = 63 - BitOperations.LeadingZeroCount((ulong)valueNs);   // >= LinearBits
        var shift = msb - LinearBits + 1;                                 // >= 1
        return (shift * SubBucketCount) + (int)(valueNs >> shift);        // (value >> shift) in [64, 128)
    }

    /// <summary>Gets the lowest value of a bucket.</summary>
    internal static long BucketLowest(int index)
    {
        if (index < LinearCount)
        {
            return index;
        }

        var shift = (index / SubBucketCount) - 1;
        var sub = (index % SubBucketCount) + SubBucketCount;
        return (long)sub << shift;
    }

    /// <summary>Gets the width of a bucket (1 in the linear range).</summary>
    internal static long BucketWidth(int index) => index < LinearCount ? 1 : 1L << ((index / SubBucketCount) - 1);

    /// <summary>Gets the value that stands for a bucket: its midpoint (exact in the linear range).</summary>
    internal static long BucketMidpoint(int index) => BucketLowest(index) + (BucketWidth(index) / 2);
}
