using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeAgent.Hal.Ros2;

// Design: a measurement reaches the motor loop through Cyclone's receive threads (recv, recvUC, recvMC: socket
// to reader cache; dq.user: delivery queue) and the HAL's own receive thread (reader cache to the triple
// buffer). At the normal scheduler a busy machine starves them for tens of ms and the motor loop sees stale
// data although the robot published on time. So they run SCHED_FIFO just below the motor loop: applied by the
// HAL thread to itself, and to Cyclone's threads found by name in /proc/self/task (Cyclone creates them inside
// libddsc; its XML config could set this too, but a realtime class there makes domain creation fail without the
// privilege, and this must degrade to a warning). Best effort: what was not applied is reported, never thrown.
/// <summary>Puts the DDS receive path on SCHED_FIFO.</summary>
internal static partial class ReceivePathPriority
{
    /// <summary>The Cyclone DDS threads that carry received data (Cyclone 0.10 names).</summary>
    internal static readonly string[] CycloneThreads = ["recv", "recvUC", "recvMC", "dq.user"];

    private const int SchedFifo = 1;

    /// <summary>Applies SCHED_FIFO <paramref name="priority"/> to the calling thread and/or to Cyclone's receive threads.</summary>
    /// <param name="priority">1..99; 0 or less does nothing.</param>
    /// <param name="self">The calling thread (the HAL's receive thread, named <paramref name="selfName"/>).</param>
    /// <param name="selfName">The calling thread's name, for the report.</param>
    /// <returns>null when everything was applied (or nothing asked), else what failed.</returns>
    public static string? Apply(int priority, bool self, string selfName)
    {
        if (priority <= 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        var failed = new List<string>();
        int errno;
        if (self)
        {
            if (!TrySet(0, priority, out errno))
            {
                failed.Add($"{selfName} (errno {errno})");
            }

            return Report(priority, failed);
        }

        try
        {
            foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                string comm;
                try
                {
                    comm = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                }
                catch (IOException)
                {
                    continue; // the thread ended
                }

                if (Array.IndexOf(CycloneThreads, comm) >= 0
                    && int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid)
                    && !TrySet(tid, priority, out errno))
                {
                    failed.Add($"{comm} (errno {errno})");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failed.Add("/proc/self/task unreadable: " + ex.Message);
        }

        return Report(priority, failed);
    }

    private static string? Report(int priority, List<string> failed) =>
        failed.Count == 0
            ? null
            : $"SCHED_FIFO {priority} not applied to the DDS receive path: {string.Join(", ", failed)}; run as root or grant CAP_SYS_NICE (LimitRTPRIO=99), or a busy machine can starve it and trip 'stale'";

    /// <summary>Gets the scheduling policy of a thread (0 = SCHED_OTHER, 1 = SCHED_FIFO), or -1.</summary>
    internal static int PolicyOf(int tid) => sched_getscheduler(tid);

    private static unsafe bool TrySet(int tid, int priority, out int errno)
    {
        int param = priority;
        if (sched_setscheduler(tid, SchedFifo, &param) == 0)
        {
            errno = 0;
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int sched_setscheduler(int pid, int policy, int* param);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getscheduler(int pid);
}
