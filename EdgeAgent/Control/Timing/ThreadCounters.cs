namespace EdgeAgent.Control.Timing;

/// <summary>A thread's page faults and context switches (getrusage RUSAGE_THREAD), or their difference over an interval.</summary>
/// <param name="MinorFaults">Page faults served without I/O (a first touch, a page already in the page cache).</param>
/// <param name="MajorFaults">Page faults that waited for I/O.</param>
/// <param name="VoluntarySwitches">Times the thread gave up the CPU (a sleep, a blocking call).</param>
/// <param name="InvoluntarySwitches">Times the kernel took the CPU from the thread (preemption).</param>
internal readonly record struct ThreadCounters(long MinorFaults, long MajorFaults, long VoluntarySwitches, long InvoluntarySwitches)
{
    /// <summary>The counts between <paramref name="earlier"/> and <paramref name="later"/>.</summary>
    /// <param name="later">The later reading.</param>
    /// <param name="earlier">The earlier reading.</param>
    /// <returns>The difference.</returns>
    public static ThreadCounters operator -(ThreadCounters later, ThreadCounters earlier) => new(
        later.MinorFaults - earlier.MinorFaults, later.MajorFaults - earlier.MajorFaults,
        later.VoluntarySwitches - earlier.VoluntarySwitches, later.InvoluntarySwitches - earlier.InvoluntarySwitches);
}
