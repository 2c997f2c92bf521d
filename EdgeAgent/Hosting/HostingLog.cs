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

    [LoggerMessage(3, LogLevel.Information, "Stopping: shutdown stop done ({Category}, ended {Phase} after {Milliseconds:F0} ms), {Writes} safe commands written before the loops stopped")]
    public static partial void SafeStopped(ILogger logger, string category, string phase, double milliseconds, long writes);

    [LoggerMessage(4, LogLevel.Critical, "Loop thread {Loop} failed; stopping the agent")]
    public static partial void LoopFailed(ILogger logger, string loop, Exception exception);

    [LoggerMessage(5, LogLevel.Information, "{Status}")]
    public static partial void Status(ILogger logger, string status);

    [LoggerMessage(6, LogLevel.Warning, "SAFE_STOP latched: cause {Cause}{Detail}, {Category}; latched until an explicit reset (SIGUSR1)")]
    public static partial void SafeStopLatched(ILogger logger, string cause, string detail, string category);

    [LoggerMessage(16, LogLevel.Information, "Stop sequence: {Phase}")]
    public static partial void StopPhaseChanged(ILogger logger, string phase);

    [LoggerMessage(17, LogLevel.Error, "Controlled stop escalated to category 0 (torque removed): {Reason}")]
    public static partial void StopEscalated(ILogger logger, string reason);

    [LoggerMessage(18, LogLevel.Warning, "Safe-stop reset refused: the agent is shutting down and the shutdown stop cannot be cancelled")]
    public static partial void ResetRefused(ILogger logger);

    [LoggerMessage(19, LogLevel.Information, "Kernel: {Kernel}")]
    public static partial void Kernel(ILogger logger, string kernel);

    [LoggerMessage(20, LogLevel.Warning, "Timing: {Expectation}")]
    public static partial void TimingExpectation(ILogger logger, string expectation);

    [LoggerMessage(21, LogLevel.Information, "Timing: {Expectation}")]
    public static partial void TimingExpectationGood(ILogger logger, string expectation);

    [LoggerMessage(7, LogLevel.Information, "Safety state is now {State}")]
    public static partial void SafetyStateChanged(ILogger logger, string state);

    [LoggerMessage(8, LogLevel.Information, "Run summary written to {Path}")]
    public static partial void SummaryWritten(ILogger logger, string path);

    [LoggerMessage(9, LogLevel.Warning, "The shutdown stop did not finish within {TimeoutMs} ms (phase {Phase}, {Writes} safe commands written); stopping the loops anyway")]
    public static partial void SafeStopTimeout(ILogger logger, int timeoutMs, string phase, long writes);

    [LoggerMessage(10, LogLevel.Information, "Configuration reloaded from {Path}: {Count} change(s) applied between ticks, as one snapshot")]
    public static partial void Reloaded(ILogger logger, string path, int count);

    [LoggerMessage(11, LogLevel.Error, "Configuration reload rejected, the running configuration stays in force:\n{Errors}")]
    public static partial void ReloadRejected(ILogger logger, string errors);

    [LoggerMessage(12, LogLevel.Information, "Configuration reload: {Key} {Before} → {After}")]
    public static partial void ReloadChanged(ILogger logger, string key, string before, string after);

    [LoggerMessage(22, LogLevel.Information, "Configuration reload: {Path} has no change")]
    public static partial void ReloadNoChange(ILogger logger, string path);

    [LoggerMessage(15, LogLevel.Information, "First measurement from the HAL after {Milliseconds:F0} ms; starting the loops")]
    public static partial void FirstMeasurement(ILogger logger, double milliseconds);

    [LoggerMessage(14, LogLevel.Warning, "{Warning}")]
    public static partial void SetupWarning(ILogger logger, string warning);

    [LoggerMessage(13, LogLevel.Warning, "Safe-stop reset requested by an operator (SIGUSR1)")]
    public static partial void ResetRequested(ILogger logger);

    [LoggerMessage(30, LogLevel.Information, "Observability endpoint on {Url}: /metrics /healthz /readyz /status (edge-agent status reads it)")]
    public static partial void ObservabilityListening(ILogger logger, string url);

    [LoggerMessage(31, LogLevel.Warning, "Observability endpoint not started on {Listen}: {Reason}. The agent runs without /metrics and /status. Fix: free the port, or set observability.listen to another loopback address (\"\" turns it off)")]
    public static partial void ObservabilityFailed(ILogger logger, string listen, string reason);

    [LoggerMessage(32, LogLevel.Information, "Observability endpoint off (observability.listen is empty)")]
    public static partial void ObservabilityOff(ILogger logger);

    [LoggerMessage(33, LogLevel.Warning, "Not ready: {Reason}")]
    public static partial void NotReady(ILogger logger, string reason);

    [LoggerMessage(34, LogLevel.Information, "Ready: {Status}")]
    public static partial void Ready(ILogger logger, string status);
}
