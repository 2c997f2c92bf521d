using EdgeAgent.Control;
using EdgeAgent.Sampling;
using EdgeAgent.Uplink;
using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Hosting;

/// <summary>
/// Once a second, the process CPU use and the uplink's last round trip go into the sampler, which copies them
/// into every sample the motor loop takes. Here, in the host, because it joins two features that must not know
/// each other: the uplink (which measures the round trip) and the motor thread's sampler.
/// </summary>
internal sealed class SampleAnnotator(Sampler sampler, TelemetryUplink uplink, TimeProvider time) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cpu = new ProcessCpuMonitor(time);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                sampler.CpuPercent = (float)cpu.Update();
                sampler.UplinkRttMs = (float)uplink.Counters.LastRttMs;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
