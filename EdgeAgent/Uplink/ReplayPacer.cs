namespace EdgeAgent.Uplink;

/// <summary>
/// The replay's rate limit: a token bucket of <c>burst</c> tokens refilled at <c>rate</c> per second, kept as
/// the time the next token is due (the generic cell rate algorithm). One clock read per call and no
/// accumulated fractions, so it delivers the configured rate however often or late it is asked (a bucket
/// refilled from "time since the last read" loses the time between two reads, which at a high rate is most of it).
/// </summary>
internal sealed class ReplayPacer
{
    private readonly TimeProvider _time;
    private readonly double _interval;
    private readonly double _tolerance;
    private readonly long _origin;
    private double _theoreticalArrival;

    /// <summary>Initializes a new instance of the <see cref="ReplayPacer"/> class with a full bucket.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="ratePerSecond">Tokens per second (replay_rate_per_second).</param>
    /// <param name="burst">The most tokens taken at once after a pause.</param>
    public ReplayPacer(TimeProvider time, double ratePerSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _time = time;
        _interval = time.TimestampFrequency / ratePerSecond;
        _tolerance = (burst - 1) * _interval;
        _origin = time.GetTimestamp(); // times are kept relative to it: a double holds a raw timestamp to ~100 ticks only
        _theoreticalArrival = 0;
    }

    /// <summary>Takes a token if one is due.</summary>
    /// <param name="wait">When none is: how long until one is (at least 1 ms, a timer's resolution).</param>
    /// <returns>Whether a token was taken.</returns>
    public bool TryTake(out TimeSpan wait)
    {
        double now = _time.GetTimestamp() - _origin;
        double arrival = Math.Max(_theoreticalArrival, now); // after a pause the bucket is full, no fuller
        if (arrival - now <= _tolerance)
        {
            _theoreticalArrival = arrival + _interval;
            wait = TimeSpan.Zero;
            return true;
        }

        wait = TimeSpan.FromSeconds(Math.Max((arrival - now - _tolerance) / _time.TimestampFrequency, 0.001));
        return false;
    }
}
