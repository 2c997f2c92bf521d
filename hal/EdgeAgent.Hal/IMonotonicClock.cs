namespace EdgeAgent.Hal;

/// <summary>
/// A monotonic time source in nanoseconds. On the robot this is CLOCK_MONOTONIC; in tests it is a simulated
/// clock that advances only when the test (or the simulated loop scheduler) says so.
/// </summary>
public interface IMonotonicClock
{
    /// <summary>Gets the current monotonic time, in nanoseconds. Never goes backwards.</summary>
    long NowNs { get; }
}
