using EdgeAgent.Control.Timing;

namespace EdgeAgent.Hosting;

/// <summary>The figures of one loop that the status line and the run summary show, in microseconds.</summary>
internal readonly record struct LoopFigures(
    double RateHz, long Ticks, long Overruns, double WakeP50Us, double WakeP99Us, double WakeP999Us, double WakeMaxUs,
    double ComputeP50Us, double ComputeP99Us, double ComputeMaxUs, long ComputeOver20Us, long AllocatedBytes, ThreadCounters Thread)
{
    /// <summary>Reads the figures of a whole run.</summary>
    /// <param name="stats">The loop's statistics.</param>
    /// <returns>The figures.</returns>
    public static LoopFigures Of(LoopStatistics stats)
    {
        LatencySnapshot wake = stats.WakeupError.Snapshot();
        LatencySnapshot compute = stats.ComputeTime.Snapshot();
        return new LoopFigures(
            stats.MeasuredRateHz, stats.Ticks, stats.Overruns,
            Us(wake.ValueAtPercentile(50)), Us(wake.ValueAtPercentile(99)), Us(wake.ValueAtPercentile(99.9)), Us(wake.Max),
            Us(compute.ValueAtPercentile(50)), Us(compute.ValueAtPercentile(99)), Us(compute.Max), compute.CountAbove(20_000), stats.AllocatedBytes, stats.Thread);
    }

    /// <summary>Nanoseconds to microseconds.</summary>
    /// <param name="ns">Nanoseconds.</param>
    /// <returns>Microseconds.</returns>
    public static double Us(double ns) => ns / 1000.0;
}
