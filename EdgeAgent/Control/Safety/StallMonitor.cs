// Design: stall limits in physical time, not in overrun counts.
//
// Two measures a control engineer can reason about:
//   - the control gap: the time between two consecutive motor ticks (each writes the commands once, a
//     fixed compute time after its wake-up, so wake-to-wake is write-to-write), and the age of the balance
//     loop's latest command. During a gap the hardware holds the last command; the base's unstable pole
//     (√(g/l) ≈ 4.7 /s for the default base) grows any error by e^(4.7·gap) meanwhile.
//   - the missed share: missed periods / all periods over a sliding window, kept in Buckets buckets of
//     window/Buckets each (a fixed array, so the tick never allocates). It trips only once a whole window
//     has been observed since the start or the last reset.
// Threads: motor thread only; the figures for readers elsewhere are published with Volatile writes.
namespace EdgeAgent.Control.Safety;

/// <summary>Measures the control gap and the share of missed periods of the motor loop.</summary>
internal sealed class StallMonitor
{
    private const int Buckets = 10;

    private readonly long _bucketNs;
    private readonly long[] _missed = new long[Buckets];
    private readonly long[] _periods = new long[Buckets];
    private long _bucketId = long.MinValue;
    private long _windowStartNs = long.MinValue;
    private long _lastTickNs = long.MinValue;
    private long _lastOverruns;
    private long _longestGapNs;
    private long _longestBalanceGapNs;

    /// <summary>Initializes a new instance of the <see cref="StallMonitor"/> class.</summary>
    /// <param name="window">The missed-period window.</param>
    public StallMonitor(TimeSpan window)
    {
        _bucketNs = Math.Max(1, window.Ticks * TimeSpan.NanosecondsPerTick / Buckets);
    }

    /// <summary>Gets the longest gap between two motor ticks seen so far (ns).</summary>
    public long LongestGapNs => Volatile.Read(ref _longestGapNs);

    /// <summary>Gets the most a balance command was overdue (older than one balance period) so far (ns).</summary>
    public long LongestBalanceGapNs => Volatile.Read(ref _longestBalanceGapNs);

    /// <summary>Gets the gap of this tick (ns): since the previous tick; 0 on the first.</summary>
    public long GapNs { get; private set; }

    /// <summary>Gets the missed share over the last full window (0..1), or 0 before a full window.</summary>
    public double MissedShare { get; private set; }

    /// <summary>Starts the window over (after a reset), keeping the longest-gap figures.</summary>
    public void Restart() => _windowStartNs = long.MinValue;

    /// <summary>Records one motor tick.</summary>
    /// <param name="nowNs">The tick's wake time (ns).</param>
    /// <param name="overruns">The loop's total missed periods so far.</param>
    /// <param name="balanceGapNs">The age of the balance command in use (ns); 0 without a balance loop.</param>
    public void Record(long nowNs, long overruns, long balanceGapNs)
    {
        GapNs = _lastTickNs == long.MinValue ? 0 : nowNs - _lastTickNs;
        _lastTickNs = nowNs;
        if (GapNs > _longestGapNs)
        {
            Volatile.Write(ref _longestGapNs, GapNs);
        }

        if (balanceGapNs > _longestBalanceGapNs)
        {
            Volatile.Write(ref _longestBalanceGapNs, balanceGapNs);
        }

        long missed = Math.Max(0, overruns - _lastOverruns);
        _lastOverruns = overruns;
        long id = nowNs / _bucketNs;
        if (_windowStartNs == long.MinValue)
        {
            Array.Clear(_missed);
            Array.Clear(_periods);
            _windowStartNs = nowNs;
            _bucketId = id;
        }
        else if (id != _bucketId)
        {
            // Clear the buckets the clock has moved past (all of them after a gap longer than the window).
            long steps = Math.Min(Buckets, id - _bucketId);
            for (long k = 1; k <= steps; k++)
            {
                int slot = (int)((_bucketId + k) % Buckets);
                _missed[slot] = 0;
                _periods[slot] = 0;
            }

            _bucketId = id;
        }

        int current = (int)(id % Buckets);
        _missed[current] += missed;
        _periods[current] += missed + 1;

        MissedShare = 0.0;
        if (nowNs - _windowStartNs >= _bucketNs * Buckets)
        {
            long m = 0, p = 0;
            for (int i = 0; i < Buckets; i++)
            {
                m += _missed[i];
                p += _periods[i];
            }

            MissedShare = p == 0 ? 0.0 : (double)m / p;
        }
    }
}
