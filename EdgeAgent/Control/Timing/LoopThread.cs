using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Control.Timing;

// Design: a fixed-rate loop on one dedicated thread.
//
// Deadlines are absolute CLOCK_MONOTONIC times: deadline(k) = start + (k + 1) * period. Each tick sleeps with
// clock_nanosleep(TIMER_ABSTIME) to (deadline - spin margin), then spins reading the clock until the
// deadline has passed, then runs the body. Absolute deadlines do not drift (a relative sleep accumulates every
// wake-up error and every compute time); the sleep gives the CPU away for most of the period; the spin hides
// the kernel's wake-up latency (timer interrupt, scheduler, cache-cold return) as long as it is shorter than
// the margin, so the wake-up error is the clock read's resolution, not the scheduler's. The margin is the
// trade: CPU burnt per period versus the wake-up latency it covers (SleepLatency measures the latter).
//
// Overruns: when a tick ends at or after the next deadline, the whole periods that have passed are counted
// as overruns and skipped: the next deadline is the first one strictly in the future and the tick index
// jumps by the same amount. The loop never "catches up" with a burst of back-to-back ticks: a controller
// fed a burst would see time compressed, and the HAL would see commands faster than it can take them.
//
// Why a dedicated Thread: the thread pool may run anything on its threads, and moves work between them; a
// loop needs one OS thread whose scheduling class, priority and CPU it owns. SCHED_FIFO, affinity, timer
// slack (and the process-wide mlockall) are applied by this thread to itself before the first deadline
// (RealtimeSetup); the process is never chrt'ed, so the GC and pool threads stay SCHED_OTHER.
//
// Threads and memory: the loop thread owns every field of the loop (locals in RunLoop) and writes the
// statistics (LoopStatistics, single writer). _stopRequested is volatile: Stop() sets it, the loop reads it
// once per tick, so a stop takes at most one period plus one body. Start() waits on _ready, which the loop
// thread sets after writing _report, so Report is complete when Start() returns.
//
// Hot path: no allocation, lock, logging or exception per tick; the loop method is compiled fully optimized
// at once (AggressiveOptimization: no tier-0 code, no on-stack replacement while running).
/// <summary>Runs an <see cref="ILoopBody"/> at a fixed rate on a dedicated real-time thread.</summary>
internal sealed class LoopThread : IDisposable
{
    private const int StackPrefaultBytes = 64 * 1024;

    private readonly LoopSettings _settings;
    private readonly ILoopBody _body;
    private readonly ILogger _logger;
    private readonly Action<Exception>? _onFault;
    private readonly ManualResetEventSlim _ready = new(false);
    private Thread? _thread;
    private volatile bool _stopRequested;
    private volatile RealtimeReport _report = RealtimeReport.None;
    private volatile Exception? _fault;
    private int _started;
    private int _stopped;

    /// <summary>Initializes a new instance of the <see cref="LoopThread"/> class.</summary>
    /// <param name="settings">The period and the real-time settings.</param>
    /// <param name="body">The work of every tick, called on the loop thread.</param>
    /// <param name="logger">Logs start, stop, settings not applied and faults (never per tick).</param>
    /// <param name="onFault">Called on the loop thread when the body throws; the loop has ended then.</param>
    public LoopThread(LoopSettings settings, ILoopBody body, ILogger logger, Action<Exception>? onFault = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.PeriodNs, 0L, nameof(settings));
        _settings = settings;
        _body = body;
        _logger = logger;
        _onFault = onFault;
    }

    /// <summary>Gets the settings.</summary>
    public LoopSettings Settings => _settings;

    /// <summary>Gets what the loop thread applied to itself; <see cref="RealtimeReport.None"/> before <see cref="Start"/>.</summary>
    public RealtimeReport Report => _report;

    /// <summary>Gets the live figures of the loop.</summary>
    public LoopStatistics Statistics { get; } = new();

    /// <summary>Gets the exception that ended the loop, if any.</summary>
    public Exception? Fault => _fault;

    /// <summary>Gets a value indicating whether the loop thread is running.</summary>
    public bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Starts the loop thread; returns once it has applied its real-time settings (<see cref="Report"/> is ready).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"Loop '{_settings.Name}' was already started; a LoopThread runs once.");
        }

        _thread = new Thread(Run) { Name = "loop-" + _settings.Name, IsBackground = true };
        _thread.Start();
        _ready.Wait();

        var report = _report;
        foreach (var warning in report.Warnings)
        {
            TimingLog.RealtimeSettingNotApplied(_logger, _settings.Name, warning.Setting, warning.Message);
        }

        TimingLog.LoopStarted(_logger, _settings.Name, _settings.PeriodNs / 1e3, report.Fifo, report.FifoPriority, report.Cpu, report.MemoryLocked, report.TimerSlackNs, _settings.SpinMarginNs / 1e3);
    }

    /// <summary>Asks the loop to stop and waits for its thread to end (idempotent; bounded).</summary>
    /// <returns><see langword="true"/> when the thread has ended (or never ran).</returns>
    public bool Stop()
    {
        _stopRequested = true;
        var thread = _thread;
        if (thread is null || thread == Thread.CurrentThread)
        {
            return thread is null;
        }

        var timeout = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, _settings.Period.Ticks * 20));
        if (!thread.Join(timeout))
        {
            TimingLog.LoopStopTimedOut(_logger, _settings.Name, timeout.TotalMilliseconds);
            return false;
        }

        if (Interlocked.Exchange(ref _stopped, 1) == 0 && _fault is null)
        {
            TimingLog.LoopStopped(_logger, _settings.Name, Statistics.Ticks, Statistics.Overruns, Statistics.MeasuredRateHz);
        }

        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Stop())
        {
            _ready.Dispose();
        }
    }

    private void Run()
    {
        try
        {
            _report = RealtimeSetup.Apply(_settings);
            PrefaultStack();
        }
        catch (Exception ex)
        {
            _ready.Set();
            OnFault(ex);
            return;
        }

        _ready.Set();
        try
        {
            RunLoop();
        }
        catch (Exception ex)
        {
            OnFault(ex);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunLoop()
    {
        var periodNs = _settings.PeriodNs;
        var marginNs = _settings.SpinMarginNs;
        var body = _body;
        var stats = Statistics;
        var wakeupError = stats.WakeupError;
        var computeTime = stats.ComputeTime;
        var sleepLatency = stats.SleepLatency;

        var startNs = LinuxNative.MonotonicNowNs();
        stats.SetStart(startNs);
        var deadline = startNs + periodNs;
        long index = 0, ticks = 0, overruns = 0, allocatedAtWarmup = 0;
        ThreadCounters threadAtWarmup = default;

        while (!_stopRequested)
        {
            var now = LinuxNative.MonotonicNowNs();
            var sleepTarget = deadline - marginNs;
            if (now < sleepTarget)
            {
                var error = LinuxNative.SleepUntilNs(sleepTarget);
                now = LinuxNative.MonotonicNowNs();
                if (error != 0)
                {
                    marginNs = SleepFailedSlow(error, periodNs);
                }
                else
                {
                    sleepLatency.Record(now - sleepTarget);
                }
            }

            while (now < deadline)
            {
                Thread.SpinWait(1);
                now = LinuxNative.MonotonicNowNs();
            }

            wakeupError.Record(now - deadline);
            body.Tick(new LoopTick(index, deadline, now, overruns));
            var end = LinuxNative.MonotonicNowNs();
            computeTime.Record(end - now);
            ticks++;

            var next = deadline + periodNs;
            if (end >= next)
            {
                // Overrun: skip every deadline that is not strictly in the future (never a catch-up burst).
                var missed = (end - deadline) / periodNs;
                overruns += missed;
                index += missed;
                next = deadline + ((missed + 1) * periodNs);
            }

            index++;
            deadline = next;
            stats.SetTick(ticks, overruns, now);
            if (ticks > LoopStatistics.WarmupTicks)
            {
                stats.SetAllocatedBytes(GC.GetAllocatedBytesForCurrentThread() - allocatedAtWarmup);
                if (ticks % LoopStatistics.WarmupTicks == 0)
                {
                    stats.SetThread(LinuxNative.ThreadCountersNow() - threadAtWarmup);
                }
            }
            else if (ticks == LoopStatistics.WarmupTicks)
            {
                threadAtWarmup = LinuxNative.ThreadCountersNow();   // first: its first call's one-time work is warm-up
                allocatedAtWarmup = GC.GetAllocatedBytesForCurrentThread();
            }
        }
    }

    private long SleepFailedSlow(int error, long periodNs)
    {
        TimingLog.SleepFailed(_logger, _settings.Name, error);
        return periodNs;   // spin the whole period from now on: late is worse than hot
    }

    private void OnFault(Exception ex)
    {
        _fault = ex;
        TimingLog.LoopFaulted(_logger, _settings.Name, Statistics.Ticks, ex);
        try
        {
            _onFault?.Invoke(ex);
        }
        catch (Exception handlerException)
        {
            TimingLog.FaultHandlerFailed(_logger, _settings.Name, handlerException);
        }
    }

    // Touch the top of the stack once so its pages are resident (and locked under mlockall) before the first tick.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PrefaultStack()
    {
        Span<byte> stack = stackalloc byte[StackPrefaultBytes];
        stack.Clear();
        _ = Volatile.Read(ref stack[StackPrefaultBytes - 1]);
    }
}
