using EdgeAgent.Configuration;
using EdgeAgent.Sampling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Uplink;

/// <summary>
/// Hosts the telemetry uplink. Registered before the control loops so that it stops after them: the last
/// samples are batched and everything undelivered is durable in the spill before the process exits.
/// </summary>
internal sealed class UplinkService : BackgroundService
{
    private readonly TelemetryUplink _uplink;
    private readonly Sampler _sampler;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="UplinkService"/> class.</summary>
    public UplinkService(TelemetryUplink uplink, Sampler sampler, ILogger<UplinkService> logger)
    {
        _uplink = uplink;
        _sampler = sampler;
        _logger = logger;
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_uplink.RunAsync(stoppingToken), MonitorAsync(stoppingToken));

    /// <summary>Once a second: the process CPU use and the last uplink round trip go into the samples.</summary>
    private async Task MonitorAsync(CancellationToken stoppingToken)
    {
        var cpu = new ProcessCpuMonitor(TimeProvider.System);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                _sampler.CpuPercent = (float)cpu.Update();
                _sampler.UplinkRttMs = (float)_uplink.Counters.LastRttMs;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
