using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeAgent.Hosting;

/// <summary>
/// Sends <c>READY=1</c> once the loops run and <c>STOPPING=1</c> when the stop begins, whenever a notify socket is
/// given. Under systemd the host's <see cref="SystemdLifetime"/> sends the same two at the same moments (after
/// every hosted service started, when stopping begins), so this one stays quiet there; it covers a supervisor
/// that is not PID 1's child (a test, a container init that speaks the notify protocol).
/// </summary>
internal sealed class SystemdReadiness(ISystemdNotifier notifier, IHostApplicationLifetime lifetime) : IHostedService
{
    private CancellationTokenRegistration _started;
    private CancellationTokenRegistration _stopping;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (notifier.IsEnabled && !SystemdHelpers.IsSystemdService())
        {
            _started = lifetime.ApplicationStarted.Register(() => notifier.Notify(ServiceState.Ready));
            _stopping = lifetime.ApplicationStopping.Register(() => notifier.Notify(ServiceState.Stopping));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _started.Dispose();
        _stopping.Dispose();
        return Task.CompletedTask;
    }
}
