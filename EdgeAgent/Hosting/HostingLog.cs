using EdgeAgent.Control.Safety;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>Log messages of the host (event ids 1-99).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1, LogLevel.Information, "EdgeAgent {Version} starting: robot {RobotId}, HAL {Driver}, {JointCount} joints, motor {MotorHz} Hz, balance {BalanceState}, config {ConfigPath}")]
    public static partial void Starting(ILogger logger, string version, string robotId, string driver, int jointCount, double motorHz, string balanceState, string configPath);

    [LoggerMessage(2, LogLevel.Information, "Loops running: first motor tick {FirstTickMs:F0} ms after process start; motor thread: {MotorRealtime}; balance thread: {BalanceRealtime}")]
    public static partial void LoopsRunning(ILogger logger, double firstTickMs, string motorRealtime, string balanceRealtime);

    [LoggerMessage(3, LogLevel.Information, "Stopping: safe stop ({StopAction}) commanded, {Ticks} motor ticks with the safe output before the loops stopped")]
    public static partial void SafeStopped(ILogger logger, string stopAction, long ticks);

    [LoggerMessage(4, LogLevel.Critical, "Loop thread {Loop} failed; stopping the agent")]
    public static partial void LoopFailed(ILogger logger, string loop, Exception exception);

    [LoggerMessage(5, LogLevel.Information, "{Status}")]
    public static partial void Status(ILogger logger, string status);

    [LoggerMessage(6, LogLevel.Warning, "SAFE_STOP latched: cause {Cause}; the joints get the safe output until an explicit reset (SIGUSR1)")]
    public static partial void SafeStopLatched(ILogger logger, SafetyCause cause);

    [LoggerMessage(7, LogLevel.Information, "Safety state is now {State}")]
    public static partial void SafetyStateChanged(ILogger logger, SafetyState state);

    [LoggerMessage(8, LogLevel.Information, "Run summary written to {Path}")]
    public static partial void SummaryWritten(ILogger logger, string path);

    [LoggerMessage(9, LogLevel.Warning, "The motor loop did not reach the safe output within {TimeoutMs} ms of the stop request")]
    public static partial void SafeStopTimeout(ILogger logger, int timeoutMs);

    [LoggerMessage(10, LogLevel.Information, "Configuration reloaded from {Path}: new gains applied between ticks")]
    public static partial void Reloaded(ILogger logger, string path);

    [LoggerMessage(11, LogLevel.Error, "Configuration reload rejected, the running gains stay in force:\n{Errors}")]
    public static partial void ReloadRejected(ILogger logger, string errors);

    [LoggerMessage(12, LogLevel.Warning, "Configuration reload: motor gains, joint limits and balance gains were applied; restart the agent to apply the changes to {Sections}")]
    public static partial void ReloadNeedsRestart(ILogger logger, string sections);

    [LoggerMessage(15, LogLevel.Information, "First measurement from the HAL after {Milliseconds:F0} ms; starting the loops")]
    public static partial void FirstMeasurement(ILogger logger, double milliseconds);

    [LoggerMessage(14, LogLevel.Warning, "{Warning}")]
    public static partial void CpuIdleNotLimited(ILogger logger, string warning);

    [LoggerMessage(13, LogLevel.Warning, "Safe-stop reset requested by an operator (SIGUSR1)")]
    public static partial void ResetRequested(ILogger logger);
}
