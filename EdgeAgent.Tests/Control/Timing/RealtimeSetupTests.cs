using System.Runtime.CompilerServices;
using EdgeAgent.Control.Timing;

namespace EdgeAgent.Tests.Control.Timing;

[TestFixture]
[Category("RealTime")]
[NonParallelizable]
public sealed class RealtimeSetupTests
{
    private static LoopSettings Settings(int priority, int cpu = -1, bool lockMemory = false) =>
        new("test", TimeSpan.FromMilliseconds(1), priority, cpu, lockMemory, TimeSpan.FromMicroseconds(100), TimeSpan.FromMicroseconds(1));

    // Real-time settings stick to the thread that applies them: never the test runner's own thread.
    private static RealtimeReport ApplyOnNewThread(LoopSettings settings)
    {
        RealtimeReport? report = null;
        var thread = new Thread(() => report = RealtimeSetup.Apply(settings));
        thread.Start();
        thread.Join();
        return report!;
    }

    [Test]
    public void Timespec_OnThis64BitTarget_IsTwoLongs()
    {
        Assert.That(Unsafe.SizeOf<LinuxNative.Timespec>(), Is.EqualTo(16));
    }

    [Test]
    public void Apply_FifoPriorityAsRoot_ReportsFifo()
    {
        Assume.That(Environment.UserName, Is.EqualTo("root"), "SCHED_FIFO needs root or CAP_SYS_NICE");

        var report = ApplyOnNewThread(Settings(priority: 50));

        Assert.That(report.Fifo, Is.True);
        Assert.That(report.FifoPriority, Is.EqualTo(50));
        Assert.That(report.Warnings, Is.Empty);
        Assert.That(report.ThreadId, Is.Not.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void Apply_PriorityZero_StaysOnTheNormalScheduler()
    {
        var report = ApplyOnNewThread(Settings(priority: 0));

        Assert.That(report.Fifo, Is.False);
        Assert.That(report.FifoPriority, Is.Zero);
        Assert.That(report.Warnings, Is.Empty);
        Assert.That(report.TimerSlackNs, Is.EqualTo(1000));
    }

    [Test]
    public void Apply_CpuThatDoesNotExist_WarnsWithErrnoAndFix()
    {
        var report = ApplyOnNewThread(Settings(priority: 0, cpu: 1000));

        Assert.That(report.Cpu, Is.EqualTo(-1));
        Assert.That(report.Warnings, Has.Count.EqualTo(1));
        Assert.That(report.Warnings[0].Setting, Is.EqualTo(RealtimeSetting.Affinity));
        Assert.That(report.Warnings[0].Errno, Is.EqualTo(LinuxNative.EInval));
        Assert.That(report.Warnings[0].Message, Does.Contain("EINVAL").And.Contain("CPU 1000"));
    }

    [Test]
    public void Apply_PinnedToCpu0_ReportsTheCpu()
    {
        var report = ApplyOnNewThread(Settings(priority: 0, cpu: 0));

        Assert.That(report.Cpu, Is.Zero);
        Assert.That(report.Warnings, Is.Empty);
    }

    [Test]
    public void Apply_LockMemory_LocksOnFaultAndRssStaysSmall()
    {
        Assume.That(Environment.UserName, Is.EqualTo("root"), "mlockall needs root or CAP_IPC_LOCK");
        try
        {
            var report = ApplyOnNewThread(Settings(priority: 0, lockMemory: true));
            GC.Collect();
            var (rss, _) = TimingDiagnostics.ReadMemoryStatus();

            Assert.That(report.MemoryLocked, Is.True);
            Assert.That(rss, Is.InRange(1L, 512L * 1024 * 1024), "MCL_ONFAULT must not populate .NET's reserved ranges");
        }
        finally
        {
            RealtimeSetup.UnlockMemory();
        }
    }
}
