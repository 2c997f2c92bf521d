using BenchmarkDotNet.Running;

namespace EdgeAgent.Benchmarks;

/// <summary>Run one with: <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*MotorTick*'</c>.</summary>
internal static class BenchmarkEntry
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkEntry).Assembly).Run(args);
}
