namespace EdgeAgent.Sampling;

/// <summary>
/// The process CPU use between two calls of <see cref="Update"/>, in percent of one core (200 = two cores busy).
/// The host calls it about once a second and hands the value to the sampler (<c>Sampler.CpuPercent</c>).
/// </summary>
/// <remarks>
/// CPU time comes from <see cref="Environment.CpuUsage"/> (getrusage on Linux: no /proc parsing, no allocation);
/// elapsed time from the injected <see cref="TimeProvider"/>. Not thread-safe: call it from one thread.
/// </remarks>
internal sealed class ProcessCpuMonitor
{
    private readonly TimeProvider _timeProvider;
    private readonly Func<TimeSpan> _cpuTime;
    private long _lastTimestamp;
    private TimeSpan _lastCpu;
    private double _lastPercent;

    /// <summary>Initializes a new instance of the <see cref="ProcessCpuMonitor"/> class for this process.</summary>
    /// <param name="timeProvider">The clock that measures the elapsed time.</param>
    public ProcessCpuMonitor(TimeProvider timeProvider)
        : this(timeProvider, static () => Environment.CpuUsage.TotalTime)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ProcessCpuMonitor"/> class.</summary>
    /// <param name="timeProvider">The clock that measures the elapsed time.</param>
    /// <param name="cpuTime">Returns the total CPU time (user + kernel) the process has used so far.</param>
    public ProcessCpuMonitor(TimeProvider timeProvider, Func<TimeSpan> cpuTime)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(cpuTime);
        _timeProvider = timeProvider;
        _cpuTime = cpuTime;
        _lastTimestamp = timeProvider.GetTimestamp();
        _lastCpu = cpuTime();
    }

    /// <summary>Gets the value the last <see cref="Update"/> returned (0 before the first).</summary>
    public double LastPercent => _lastPercent;

    /// <summary>Measures the CPU use since the previous call (or since construction).</summary>
    /// <returns>
    /// The CPU time used divided by the elapsed time, in percent of one core; the previous value when no time
    /// has passed.
    /// </returns>
    public double Update()
    {
        long now = _timeProvider.GetTimestamp();
        TimeSpan cpu = _cpuTime();
        TimeSpan elapsed = _timeProvider.GetElapsedTime(_lastTimestamp, now);
        if (elapsed <= TimeSpan.Zero)
        {
            return _lastPercent;
        }

        double used = Math.Max(0.0, (cpu - _lastCpu).TotalSeconds);
        _lastPercent = 100.0 * used / elapsed.TotalSeconds;
        _lastTimestamp = now;
        _lastCpu = cpu;
        return _lastPercent;
    }
}
