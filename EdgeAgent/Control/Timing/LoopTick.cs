namespace EdgeAgent.Control.Timing;

/// <summary>One wake-up of a loop thread, handed to its <see cref="ILoopBody"/>.</summary>
/// <param name="Index">
/// The period number since the start (0 is the first deadline). It skips the periods that were missed after
/// an overrun, so <c>Index</c> minus the ticks run so far equals <paramref name="Overruns"/>.
/// </param>
/// <param name="DeadlineNs">The absolute CLOCK_MONOTONIC deadline of this tick (ns).</param>
/// <param name="WakeNs">When the loop thread woke for this tick (ns); never before <paramref name="DeadlineNs"/>.</param>
/// <param name="Overruns">The periods skipped so far because a tick ran past the next deadline.</param>
internal readonly record struct LoopTick(long Index, long DeadlineNs, long WakeNs, long Overruns);

/// <summary>The work a loop thread does every period (the motor and balance controllers).</summary>
/// <remarks>Called on the loop thread: no allocation, lock, logging or exception per tick.</remarks>
internal interface ILoopBody
{
    /// <summary>Runs one tick.</summary>
    void Tick(in LoopTick tick);
}
