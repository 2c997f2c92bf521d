using Microsoft.Extensions.Logging;

namespace EdgeAgent.Control.Timing;

/// <summary>Log messages of the loop timing layer (event ids 100-199). Never called per tick.</summary>
internal static partial class TimingLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Loop {Loop}: {Setting} not applied, running without it: {Warning}")]
    public static partial void RealtimeSettingNotApplied(ILogger logger, string loop, RealtimeSetting setting, string warning);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Loop {Loop} started: period {PeriodUs} µs, SCHED_FIFO {Fifo} priority {Priority}, CPU {Cpu}, memory locked {Locked}, timer slack {SlackNs} ns, spin margin {SpinUs} µs")]
    public static partial void LoopStarted(ILogger logger, string loop, double periodUs, bool fifo, int priority, int cpu, bool locked, long slackNs, double spinUs);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Loop {Loop} stopped after {Ticks} ticks, {Overruns} overruns, {RateHz:F2} Hz measured")]
    public static partial void LoopStopped(ILogger logger, string loop, long ticks, long overruns, double rateHz);

    [LoggerMessage(EventId = 103, Level = LogLevel.Critical, Message = "Loop {Loop} faulted at tick {Ticks}: the loop thread has ended")]
    public static partial void LoopFaulted(ILogger logger, string loop, long ticks, Exception exception);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Loop {Loop} did not stop within {TimeoutMs} ms (its body is stuck in a tick)")]
    public static partial void LoopStopTimedOut(ILogger logger, string loop, double timeoutMs);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Loop {Loop}: the fault handler threw")]
    public static partial void FaultHandlerFailed(ILogger logger, string loop, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Loop {Loop}: clock_nanosleep failed ({Errno}); the loop spins instead of sleeping")]
    public static partial void SleepFailed(ILogger logger, string loop, int errno);
}
