using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// Runs the <see cref="UplinkLoad"/> harness once, in process (its table is in the log; BenchmarkDotNet's own
/// time is the harness's total and means nothing). Run:
/// <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*UplinkLoad*'</c>
/// (<c>EDGEAGENT_BENCH_SECONDS</c> sets the seconds per case; default 3).
/// </summary>
[Config(typeof(OneColdRun))]
public class UplinkLoadBenchmarks
{
    private readonly TimeSpan _duration = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("EDGEAGENT_BENCH_SECONDS") ?? "3", System.Globalization.CultureInfo.InvariantCulture));

    [Benchmark]
    public Task UnaryVersusStream() =>
        UplinkLoad.RunAsync(_duration);

    private sealed class OneColdRun : ManualConfig
    {
        public OneColdRun() => AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
