using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Uplink;

/// <summary>
/// Hosts the telemetry uplink. Registered before the control loops so that it stops after them: the last
/// samples are batched and everything undelivered is durable in the spill before the process exits.
/// </summary>
internal sealed class UplinkService(TelemetryUplink uplink) : BackgroundService
{
    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => uplink.RunAsync(stoppingToken);
}
