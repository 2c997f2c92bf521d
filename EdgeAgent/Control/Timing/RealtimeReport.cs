namespace EdgeAgent.Control.Timing;

/// <summary>The real-time settings a loop thread asked for.</summary>
internal enum RealtimeSetting
{
    /// <summary>SCHED_FIFO with a priority.</summary>
    FifoPriority,

    /// <summary>CPU affinity.</summary>
    Affinity,

    /// <summary>mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT).</summary>
    LockMemory,

    /// <summary>prctl(PR_SET_TIMERSLACK).</summary>
    TimerSlack,
}

/// <summary>A real-time setting that could not be applied: the loop runs without it.</summary>
/// <param name="Setting">The setting.</param>
/// <param name="Errno">The errno of the failed call.</param>
/// <param name="Message">What failed and how to fix it.</param>
internal sealed record RealtimeWarning(RealtimeSetting Setting, int Errno, string Message);

/// <summary>What <see cref="RealtimeSetup.Apply"/> did to the calling thread.</summary>
/// <param name="ThreadId">The Linux thread id (gettid) the settings apply to.</param>
/// <param name="Fifo">Whether the thread runs SCHED_FIFO (read back from the kernel).</param>
/// <param name="FifoPriority">The SCHED_FIFO priority in force (read back); 0 when not FIFO.</param>
/// <param name="Cpu">The CPU the thread is pinned to; -1 when not pinned.</param>
/// <param name="MemoryLocked">Whether mlockall succeeded.</param>
/// <param name="TimerSlackNs">The thread's timer slack in force (read back), ns; -1 when unknown.</param>
/// <param name="Warnings">One entry per requested setting that failed.</param>
internal sealed record RealtimeReport(
    int ThreadId,
    bool Fifo,
    int FifoPriority,
    int Cpu,
    bool MemoryLocked,
    long TimerSlackNs,
    IReadOnlyList<RealtimeWarning> Warnings)
{
    /// <summary>Gets a report of a thread that applied nothing (before start).</summary>
    public static RealtimeReport None { get; } = new(0, false, 0, -1, false, -1, []);
}
