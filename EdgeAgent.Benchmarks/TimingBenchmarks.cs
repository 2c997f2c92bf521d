using BenchmarkDotNet.Attributes;
using EdgeAgent.Control.Timing;

namespace EdgeAgent.Benchmarks;

/// <summary>The per-tick costs of the loop timing layer: the clock read and a histogram record.</summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "BenchmarkDotNet runs instance methods.")]
public class TimingBenchmarks
{
    private readonly LatencyHistogram _histogram = new();
    private long _value = 12_345;

    [Benchmark]
    public long MonotonicClockNowNs() => MonotonicClock.Instance.NowNs;

    [Benchmark(Baseline = true)]
    public long StopwatchGetTimestamp() => System.Diagnostics.Stopwatch.GetTimestamp();

    [Benchmark]
    public void LatencyHistogramRecord()
    {
        _value = (_value * 1_103_515_245 + 12_345) & 0xFFFFFF;   // spread over buckets: 0..16 ms
        _histogram.Record(_value);
    }
}
