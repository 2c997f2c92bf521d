namespace EdgeAgent.Control.Timing;

// Design: the loop thread is the only writer of every field (plain stores to its own histograms,
// Volatile.Write of the counters: release, so a reader that sees a tick count sees that tick's records);
// readers on other threads use Volatile.Read. A long store is atomic on 64-bit, so nothing tears.
/// <summary>Live figures of one loop thread, readable from any thread.</summary>
internal sealed class LoopStatistics
{
    private long _ticks;
    private long _overruns;
    private long _allocatedBytes;
    private long _startNs;
    private long _lastWakeNs;
    private long _threadVersion;   // seqlock: odd while the loop thread writes _thread
    private ThreadCounters _thread;

    /// <summary>Gets the number of ticks whose allocations are not counted (JIT tiering, first-call work).</summary>
    public const int WarmupTicks = 1_000;

    /// <summary>Gets the wake-up error: wake time minus deadline (ns).</summary>
    public LatencyHistogram WakeupError { get; } = new();

    /// <summary>Gets the time the body took per tick (ns).</summary>
    public LatencyHistogram ComputeTime { get; } = new();

    /// <summary>
    /// Gets how late clock_nanosleep returned after its target (deadline minus the spin margin), ns: the
    /// kernel's wake-up latency, which the spin margin has to cover. Comparable to cyclictest's figure.
    /// </summary>
    public LatencyHistogram SleepLatency { get; } = new();

    /// <summary>Gets the ticks run.</summary>
    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Gets the periods skipped because a tick ran past the next deadline.</summary>
    public long Overruns => Volatile.Read(ref _overruns);

    /// <summary>Gets the bytes allocated on the loop thread since the end of the warm-up (<see cref="WarmupTicks"/>).</summary>
    public long AllocatedBytes => Volatile.Read(ref _allocatedBytes);

    /// <summary>
    /// Gets the loop thread's page faults and context switches since the end of the warm-up, read on the thread
    /// once every <see cref="WarmupTicks"/> ticks (one getrusage call a second at 1 kHz, after the tick's compute
    /// time is taken): what took the thread off its work besides the work itself.
    /// </summary>
    public ThreadCounters Thread
    {
        get
        {
            // Never blocks the loop thread: the reader retries if a write overlapped its copy.
            var spin = default(SpinWait);
            while (true)
            {
                long before = Volatile.Read(ref _threadVersion);
                ThreadCounters copy = _thread;
                Interlocked.MemoryBarrier();
                if ((before & 1) == 0 && Volatile.Read(ref _threadVersion) == before)
                {
                    return copy;
                }

                spin.SpinOnce();
            }
        }
    }

    /// <summary>Gets when the loop started (ns, CLOCK_MONOTONIC): one period before the first deadline; 0 before.</summary>
    public long StartNs => Volatile.Read(ref _startNs);

    /// <summary>Gets the last wake time (ns, CLOCK_MONOTONIC); 0 before the first tick.</summary>
    public long LastWakeNs => Volatile.Read(ref _lastWakeNs);

    /// <summary>Gets the ticks per second over the whole run; 0 before the first tick.</summary>
    public double MeasuredRateHz
    {
        get
        {
            var ticks = Ticks;
            var start = StartNs;
            var last = LastWakeNs;
            return ticks == 0 || last <= start ? 0 : ticks * 1e9 / (last - start);
        }
    }

    internal void SetStart(long startNs) => Volatile.Write(ref _startNs, startNs);

    internal void SetTick(long ticks, long overruns, long wakeNs)
    {
        Volatile.Write(ref _lastWakeNs, wakeNs);
        Volatile.Write(ref _overruns, overruns);
        Volatile.Write(ref _ticks, ticks);
    }

    internal void SetAllocatedBytes(long bytes) => Volatile.Write(ref _allocatedBytes, bytes);

    internal void SetThread(ThreadCounters counters)
    {
        Volatile.Write(ref _threadVersion, _threadVersion + 1);
        Interlocked.MemoryBarrier();
        _thread = counters;
        Volatile.Write(ref _threadVersion, _threadVersion + 1);
    }
}
