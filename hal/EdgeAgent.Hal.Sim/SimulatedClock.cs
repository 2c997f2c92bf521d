namespace EdgeAgent.Hal.Sim;

/// <summary>
/// A deterministic <see cref="IMonotonicClock"/> for tests and simulated loops: time moves only when
/// <see cref="Advance"/> or <see cref="AdvanceTo"/> is called, and never backwards.
/// </summary>
public sealed class SimulatedClock : IMonotonicClock
{
    private long _nowNs;

    /// <summary>Initializes a new instance of the <see cref="SimulatedClock"/> class.</summary>
    /// <param name="startNs">The initial time, in nanoseconds.</param>
    public SimulatedClock(long startNs = 0)
    {
        _nowNs = startNs;
    }

    /// <inheritdoc/>
    public long NowNs => Volatile.Read(ref _nowNs);

    /// <summary>Moves the clock forward by <paramref name="delta"/>.</summary>
    /// <param name="delta">A non-negative duration.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        Volatile.Write(ref _nowNs, _nowNs + (delta.Ticks * TimeSpan.NanosecondsPerTick));
    }

    /// <summary>Moves the clock forward to the absolute time <paramref name="ns"/>.</summary>
    /// <param name="ns">The new time, in nanoseconds; not before <see cref="NowNs"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ns"/> is before <see cref="NowNs"/>.</exception>
    public void AdvanceTo(long ns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ns, _nowNs);
        Volatile.Write(ref _nowNs, ns);
    }
}
