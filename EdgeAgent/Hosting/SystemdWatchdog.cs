using System.Globalization;
using EdgeAgent.Control;
using EdgeAgent.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeAgent.Hosting;

/// <summary>
/// Pets the systemd watchdog (<c>WatchdogSec=</c> in the unit) at half its interval, but only while the agent
/// is healthy: the motor loop ticked since the last ping <b>and</b> at least one of those ticks took a fresh
/// HAL measurement. A stuck loop thread or a HAL that went silent stops the pings, and systemd restarts the
/// agent (the safety supervisor has already stopped the robot: a stale HAL trips category 0 within
/// <c>safety.stale_after</c>, long before the watchdog interval).
/// </summary>
internal sealed class SystemdWatchdog(ISystemdNotifier notifier, ControlParts parts, TimeProvider time) : BackgroundService
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");
    private long _lastTicks;
    private long _lastNotFresh;

    /// <summary>One watchdog period: pets the watchdog if the agent was healthy since the last call.</summary>
    /// <returns>Whether it petted.</returns>
    internal bool PetIfHealthy()
    {
        long ticks = parts.Motor.Ticks;
        long notFresh = parts.Motor.NotFreshReads;
        (bool alive, bool fresh) = HealthMonitor.Judge(ticks - _lastTicks, notFresh - _lastNotFresh);
        bool healthy = alive && fresh;
        _lastTicks = ticks;
        _lastNotFresh = notFresh;
        if (healthy)
        {
            notifier.Notify(Watchdog);
        }

        return healthy;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        if (!notifier.IsEnabled || !long.TryParse(usec, NumberStyles.Integer, CultureInfo.InvariantCulture, out long micros) || micros <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMicroseconds(micros / 2.0), time);
        _lastTicks = parts.Motor.Ticks;
        _lastNotFresh = parts.Motor.NotFreshReads;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                PetIfHealthy();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
