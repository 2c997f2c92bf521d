using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeAgent.Control.Timing;

// Design: every setting is applied by the loop thread to itself (sched_setscheduler and sched_setaffinity
// on gettid(), prctl on the calling thread). The process is never chrt'ed: threads created later (the GC,
// the thread pool, the host) would inherit SCHED_FIFO and compete with the loops. mlockall is process-wide
// by nature; MCL_ONFAULT locks pages as they are touched instead of populating every mapping at once
// (.NET reserves hundreds of GB of address space for the GC heap: MCL_FUTURE without ONFAULT would fail
// or commit it). A setting that fails becomes a warning with the errno and the fix; the loop runs anyway.
/// <summary>Applies a loop's real-time settings to the calling thread.</summary>
internal static class RealtimeSetup
{
    /// <summary>Applies <paramref name="settings"/> to the calling thread and reports what is in force.</summary>
    public static unsafe RealtimeReport Apply(LoopSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var warnings = new List<RealtimeWarning>();
        var tid = LinuxNative.GetTid();

        if (settings.FifoPriority > 0)
        {
            var param = new LinuxNative.SchedParam { Priority = settings.FifoPriority };
            if (LinuxNative.SchedSetScheduler(tid, LinuxNative.SchedFifo, &param) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                warnings.Add(new(RealtimeSetting.FifoPriority, errno, errno == LinuxNative.EPerm
                    ? Format("SCHED_FIFO priority {0} not permitted (EPERM): run as root or grant CAP_SYS_NICE / LimitRTPRIO=99 in the systemd unit", settings.FifoPriority)
                    : Format("SCHED_FIFO priority {0} failed ({1}): use a priority of 1-99", settings.FifoPriority, LinuxNative.ErrnoName(errno))));
            }
        }

        var cpu = -1;
        if (settings.Cpu >= 0)
        {
            if (settings.Cpu >= LinuxNative.CpuSetBytes * 8)
            {
                warnings.Add(new(RealtimeSetting.Affinity, LinuxNative.EInval, Format("CPU {0} out of range (EINVAL): use a CPU from 0 to {1}", settings.Cpu, Environment.ProcessorCount - 1)));
            }
            else
            {
                var mask = stackalloc byte[LinuxNative.CpuSetBytes];
                new Span<byte>(mask, LinuxNative.CpuSetBytes).Clear();
                mask[settings.Cpu / 8] = (byte)(1 << (settings.Cpu % 8));
                if (LinuxNative.SchedSetAffinity(tid, LinuxNative.CpuSetBytes, mask) == 0)
                {
                    cpu = settings.Cpu;
                }
                else
                {
                    var errno = Marshal.GetLastPInvokeError();
                    warnings.Add(new(RealtimeSetting.Affinity, errno, errno == LinuxNative.EInval
                        ? Format("pinning to CPU {0} failed (EINVAL): the CPU is offline or outside the service's cpuset (AllowedCPUs=); use a CPU from 0 to {1} or -1", settings.Cpu, Environment.ProcessorCount - 1)
                        : Format("pinning to CPU {0} failed ({1}): grant CAP_SYS_NICE or set -1", settings.Cpu, LinuxNative.ErrnoName(errno))));
                }
            }
        }

        var locked = false;
        if (settings.LockMemory)
        {
            if (LinuxNative.MLockAll(LinuxNative.McLCurrent | LinuxNative.McLFuture | LinuxNative.McLOnFault) == 0)
            {
                locked = true;
            }
            else
            {
                var errno = Marshal.GetLastPInvokeError();
                warnings.Add(new(RealtimeSetting.LockMemory, errno, errno switch
                {
                    LinuxNative.ENoMem or LinuxNative.EPerm => Format("mlockall not permitted ({0}): run as root, or grant CAP_IPC_LOCK / LimitMEMLOCK=infinity in the systemd unit", LinuxNative.ErrnoName(errno)),
                    LinuxNative.EInval => "mlockall(MCL_ONFAULT) not supported (EINVAL): the kernel is older than 4.4; set timing.lock_memory: false",
                    _ => Format("mlockall failed ({0}): set timing.lock_memory: false to silence", LinuxNative.ErrnoName(errno)),
                }));
            }
        }

        // PR_SET_TIMERSLACK with 0 means "back to the default slack", so the smallest slack asked for is 1 ns.
        var slackNs = Math.Max(1L, settings.TimerSlack.Ticks * 100);
        if (LinuxNative.Prctl(LinuxNative.PrSetTimerSlack, (nuint)slackNs, 0, 0, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            warnings.Add(new(RealtimeSetting.TimerSlack, errno, Format("timer slack of {0} ns failed ({1}): the loop wakes with the default 50 µs slack unless it runs SCHED_FIFO", slackNs, LinuxNative.ErrnoName(errno))));
        }

        var policy = LinuxNative.SchedGetScheduler(tid);
        var fifo = policy == LinuxNative.SchedFifo;
        var current = default(LinuxNative.SchedParam);
        var priority = fifo && LinuxNative.SchedGetParam(tid, &current) == 0 ? current.Priority : 0;
        var slack = LinuxNative.Prctl(LinuxNative.PrGetTimerSlack, 0, 0, 0, 0);
        return new RealtimeReport(tid, fifo, priority, cpu, locked, slack < 0 ? -1 : slack, warnings);
    }

    /// <summary>Undoes mlockall (tests and the diagnose verb, which lock memory only for a run).</summary>
    public static void UnlockMemory() => _ = LinuxNative.MUnlockAll();

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
