using System.Runtime.InteropServices;
using EdgeAgent.Control;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// The operator's signals: SIGUSR1 resets a latched SAFE_STOP (an explicit, deliberate act; it re-trips at
/// once if the cause persists). SIGTERM and SIGINT are the host's: they bring the robot to a safe stop and exit.
/// </summary>
internal sealed class OperatorSignals(ControlParts parts, ILogger<OperatorSignals> logger) : IHostedService, IDisposable
{
    private const int SigUsr1 = 10;
    private PosixSignalRegistration? _reset;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsLinux())
        {
            _reset = PosixSignalRegistration.Create((PosixSignal)SigUsr1, context =>
            {
                context.Cancel = true;
                HostingLog.ResetRequested(logger);
                if (!parts.Safety.RequestReset())
                {
                    HostingLog.ResetRefused(logger);
                }
            });
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void Dispose() => _reset?.Dispose();
}
