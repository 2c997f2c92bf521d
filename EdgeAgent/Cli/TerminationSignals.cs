using System.Runtime.InteropServices;

namespace EdgeAgent.Cli;

/// <summary>
/// SIGTERM (systemd, kill) and SIGINT (Ctrl-C) as a request to stop: the first cancels <see cref="Token"/> and
/// the verb ends cleanly (its closing summary, exit 0); a second one while it is stopping takes the default
/// action (the runtime ends the process with 143 or 130). The verbs that run until stopped (<c>receive</c>,
/// <c>simulate</c>) use this; <c>run</c> has the generic host's lifetime, which does the same for the
/// agent. System.CommandLine's own handler is off (<c>Program.cs</c>): it returns 143/130 from the
/// invocation two seconds after the signal whether or not the verb has finished stopping.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;
    private int _received;

    /// <summary>Initializes a new instance of the <see cref="TerminationSignals"/> class.</summary>
    /// <param name="cancellationToken">Another reason to stop (the invocation's token: tests cancel it).</param>
    public TerminationSignals(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    /// <summary>Gets the token cancelled by the first signal (or the token given at construction).</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Cancels <see cref="Token"/> after a delay (a run limited by <c>--duration</c>).</summary>
    /// <param name="delay">The delay.</param>
    public void CancelAfter(TimeSpan delay) => _stop.CancelAfter(delay);

    /// <inheritdoc/>
    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Exchange(ref _received, 1) != 0)
        {
            // The second signal: the operator means it. Let the runtime end the process.
            return;
        }

        context.Cancel = true;
        _stop.Cancel();
    }
}
