using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeAgent.Control.Timing;

// Design: the few libc calls the loop timing needs, Linux only (64-bit: x86_64, aarch64).
// - struct timespec is { time_t tv_sec; long tv_nsec; }: two 64-bit fields on both 64-bit ABIs, so a
//   sequential struct of two longs matches (16 bytes, checked by a test). 32-bit targets are not supported.
// - clock_gettime on CLOCK_MONOTONIC is a vDSO call (~20 ns, no syscall, cannot block): it is marked
//   SuppressGCTransition so the spin loop pays no GC-mode switch. Nothing that can block is marked so:
//   clock_nanosleep keeps the normal transition, so a GC can run while the loop thread sleeps.
// - clock_nanosleep returns the error number (it does not set errno); EINTR (a signal) is retried with
//   the same absolute deadline, which is exactly why TIMER_ABSTIME is used.
// - sched_* take a thread id (gettid), not the process id: the settings apply to the calling thread only.
internal static unsafe partial class LinuxNative
{
    internal const int ClockRealtime = 0;
    internal const int ClockMonotonic = 1;
    internal const int TimerAbsTime = 1;
    internal const int SchedOther = 0;
    internal const int SchedFifo = 1;
    internal const int McLCurrent = 1;
    internal const int McLFuture = 2;
    internal const int McLOnFault = 4;
    internal const int PrSetTimerSlack = 29;
    internal const int PrGetTimerSlack = 30;
    internal const int EIntr = 4;
    internal const int EPerm = 1;
    internal const int ENoMem = 12;
    internal const int EInval = 22;

    /// <summary>The size of the kernel's cpu_set_t (1024 CPUs).</summary>
    internal const int CpuSetBytes = 128;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct SchedParam
    {
        public int Priority;
    }

    /// <summary>struct rusage on the 64-bit Linux ABIs: two timevals, then 14 longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, SharedRss, UnsharedData, UnsharedStack;
        public long MinorFaults, MajorFaults, Swaps, BlockIn, BlockOut, MessagesSent, MessagesReceived, Signals;
        public long VoluntarySwitches, InvoluntarySwitches;
    }

    /// <summary>Reads the calling thread's page faults and context switches (getrusage RUSAGE_THREAD).</summary>
    /// <returns>The counters; all 0 if the call failed.</returns>
    internal static ThreadCounters ThreadCountersNow()
    {
        RUsage usage;
        return GetRUsage(RUsageThread, &usage) == 0
            ? new ThreadCounters(usage.MinorFaults, usage.MajorFaults, usage.VoluntarySwitches, usage.InvoluntarySwitches)
            : default;
    }

    /// <summary>Gets the CLOCK_MONOTONIC time in nanoseconds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long MonotonicNowNs()
    {
        Timespec ts;
        _ = ClockGetTime(ClockMonotonic, &ts);
        return (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds;
    }

    /// <summary>Gets the CLOCK_REALTIME time in nanoseconds since the Unix epoch (UTC).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long RealtimeNowNs()
    {
        Timespec ts;
        _ = ClockGetTime(ClockRealtime, &ts);
        return (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds;
    }

    /// <summary>Sleeps until the absolute CLOCK_MONOTONIC time <paramref name="deadlineNs"/>; retries on EINTR.</summary>
    /// <returns>0, or the error number clock_nanosleep returned (other than EINTR).</returns>
    internal static int SleepUntilNs(long deadlineNs)
    {
        Timespec ts;
        ts.Seconds = deadlineNs / 1_000_000_000L;
        ts.Nanoseconds = deadlineNs % 1_000_000_000L;
        int error;
        do
        {
            error = ClockNanoSleep(ClockMonotonic, TimerAbsTime, &ts, null);
        }
        while (error == EIntr);
        return error;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    [SuppressGCTransition]
    internal static partial int ClockGetTime(int clockId, Timespec* time);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    internal static partial int ClockNanoSleep(int clockId, int flags, Timespec* request, Timespec* remain);

    [LibraryImport("libc", EntryPoint = "gettid")]
    internal static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    internal static partial int SchedSetScheduler(int tid, int policy, SchedParam* param);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler", SetLastError = true)]
    internal static partial int SchedGetScheduler(int tid);

    [LibraryImport("libc", EntryPoint = "sched_getparam", SetLastError = true)]
    internal static partial int SchedGetParam(int tid, SchedParam* param);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    internal static partial int SchedSetAffinity(int tid, nuint cpuSetSize, byte* mask);

    /// <summary>getrusage(2) who: the calling thread.</summary>
    internal const int RUsageThread = 1;

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    internal static partial int GetRUsage(int who, RUsage* usage);

    [LibraryImport("libc", EntryPoint = "mlockall", SetLastError = true)]
    internal static partial int MLockAll(int flags);

    [LibraryImport("libc", EntryPoint = "munlockall", SetLastError = true)]
    internal static partial int MUnlockAll();

    // prctl is variadic in C; on the 64-bit Linux ABIs integer varargs travel in the same registers as fixed ones.
    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Gets the symbolic name of an errno value for messages.</summary>
    internal static string ErrnoName(int errno) => errno switch
    {
        EPerm => "EPERM",
        ENoMem => "ENOMEM",
        EInval => "EINVAL",
        EIntr => "EINTR",
        3 => "ESRCH",
        14 => "EFAULT",
        11 => "EAGAIN",
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
