using EdgeAgent.Hal;

namespace EdgeAgent.Control.Timing;

/// <summary>CLOCK_MONOTONIC: the clock the loop deadlines are set on.</summary>
internal sealed class MonotonicClock : IMonotonicClock
{
    private MonotonicClock()
    {
    }

    /// <summary>Gets the one instance.</summary>
    public static MonotonicClock Instance { get; } = new();

    /// <inheritdoc/>
    public long NowNs => LinuxNative.MonotonicNowNs();

    /// <summary>Sleeps until the absolute CLOCK_MONOTONIC time <paramref name="deadlineNs"/> (clock_nanosleep, TIMER_ABSTIME).</summary>
    /// <returns>0, or the error number clock_nanosleep returned.</returns>
    public static int SleepUntil(long deadlineNs) => LinuxNative.SleepUntilNs(deadlineNs);
}
