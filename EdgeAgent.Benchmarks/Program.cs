using BenchmarkDotNet.Running;

namespace EdgeAgent.Benchmarks;

/// <summary>Run one with: <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*MotorTick*'</c>; the uplink harness with <c>-- telemetry</c>.</summary>
internal static class BenchmarkEntry
{
    private static int Main(string[] args)
    {
        if (args is ["telemetry"] or ["telemetry", "pipeline"])
        {
            return TelemetryHarness.RunAsync(pipelineOnly: args.Length > 1).GetAwaiter().GetResult();
        }

        if (args is ["store-load", string endpoint, string robots, string seconds, ..])
        {
            double rate = args.Length > 4 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 0;
            return StoreLoad.RunAsync(new Uri(endpoint), int.Parse(robots, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture)), rate).GetAwaiter().GetResult();
        }

        if (args is ["replay", string count, ..])
        {
            double? rate = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : null;
            return TelemetryHarness.ReplayShippedAsync(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), rate).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkEntry).Assembly).Run(args);
        return 0;
    }
}
