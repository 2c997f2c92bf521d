using System.Globalization;
using EdgeAgent.Control;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeAgent.Hosting;

/// <summary>
/// Pets the systemd watchdog (<c>WatchdogSec=</c> in the unit) at half its interval, but only while the motor
/// loop is ticking: a stuck loop thread stops the pings, and systemd restarts the agent.
/// </summary>
internal sealed class SystemdWatchdog(ISystemdNotifier notifier, ControlParts parts, TimeProvider time) : BackgroundService
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        if (!notifier.IsEnabled || !long.TryParse(usec, NumberStyles.Integer, CultureInfo.InvariantCulture, out long micros) || micros <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMicroseconds(micros / 2.0), time);
        long lastTicks = -1;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                long ticks = parts.Motor.Ticks;
                if (ticks != lastTicks)
                {
                    notifier.Notify(Watchdog);
                    lastTicks = ticks;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
