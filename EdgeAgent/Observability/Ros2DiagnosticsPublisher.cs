using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Hosting;
using EdgeAgent.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Observability;

/// <summary>
/// Publishes the agent's state as <c>diagnostic_msgs/DiagnosticArray</c> on <c>hal.ros2.diagnostics_topic</c>
/// (default <c>/diagnostics</c>) every <c>hal.ros2.diagnostics_period</c> when <c>hal.driver: ros2</c>, so
/// <c>ros2 topic echo /diagnostics</c>, rqt_robot_monitor and the diagnostic_aggregator show it beside the rest of
/// the robot. The loop figures are those of one period (ticks, overruns and histogram deltas of the loops'
/// own statistics); safety, HAL and uplink come from the same <see cref="AgentStatus"/> as <c>/status</c>.
/// Off the hot path: a timer task reads what the loops already publish. A DDS failure is logged once and the
/// agent runs on without diagnostics: they are for people, the loops and the safety supervisor do not need them.
/// </summary>
internal sealed partial class Ros2DiagnosticsPublisher : BackgroundService
{
    private readonly AgentOptions _options;
    private readonly AgentStatusSource _status;
    private readonly ControlParts _parts;
    private readonly ControlLoopsService _loops;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DiagnosticArrayMessage _message = new();
    private readonly LoopWindowTracker _motorWindow;
    private readonly LoopWindowTracker _balanceWindow;
    private long _lostMark;
    private bool _failureLogged;

    /// <summary>Initializes a new instance of the <see cref="Ros2DiagnosticsPublisher"/> class.</summary>
    public Ros2DiagnosticsPublisher(AgentOptions options, AgentStatusSource status, ILogger<Ros2DiagnosticsPublisher> logger, TimeProvider time)
    {
        _options = options;
        _status = status;
        _parts = status.Parts;
        _loops = status.Loops;
        _logger = logger;
        _time = time;
        ControlParts parts = status.Parts;
        _motorWindow = new LoopWindowTracker(parts.MotorRateHz, time);
        _balanceWindow = new LoopWindowTracker(parts.BalanceRateHz, time);
    }

    /// <summary>Gets the writer while publishing (tests read its counters); null when off or not started.</summary>
    internal Ros2DiagnosticsWriter? Writer { get; private set; }

    /// <summary>Gets a value indicating whether the configuration asks for diagnostics: the ROS 2 driver and a topic.</summary>
    internal bool Enabled => _options.Hal.Driver == HalDriver.Ros2 && _options.Hal.Ros2.DiagnosticsTopic.Length > 0;

    /// <summary>Builds the array of this period (advances the windows); the timer calls it, tests call it directly.</summary>
    /// <returns>The array, reused by the next call.</returns>
    internal DiagnosticArrayMessage Build()
    {
        LoopWindow motor = _motorWindow.Next(_loops.Motor?.Statistics);
        LoopWindow? balance = _parts.BalanceEnabled ? _balanceWindow.Next(_loops.Balance?.Statistics) : null;
        AgentStatus status = _status.Take();
        long lost = status.Uplink.DeadLettered + status.Uplink.DroppedQuota + status.Uplink.DroppedDiskFull;
        long lostInWindow = lost - _lostMark;
        _lostMark = lost;
        var counters = _parts.Hal is IHalDiagnostics diagnostics ? diagnostics.Counters() : [];

        long wallNs = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        _message.Header.Stamp = new RosTime((int)(wallNs / 1_000_000_000L), (uint)(wallNs % 1_000_000_000L));
        _message.Status.Clear();
        _message.Status.AddRange(DiagnosticsReport.Build(status, motor, balance, counters, lostInWindow));
        return _message;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        Ros2Options ros2 = _options.Hal.Ros2;
        try
        {
            uint domain = Ros2HalOptions.ResolveDomainId(ros2.DomainId, Environment.GetEnvironmentVariable("ROS_DOMAIN_ID"));
            Writer = Ros2DiagnosticsWriter.Create(domain, ros2.DiagnosticsTopic);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or DllNotFoundException)
        {
            LogUnavailable(_logger, ros2.DiagnosticsTopic, ex.Message);
            return;
        }

        try
        {
            LogPublishing(_logger, ros2.DiagnosticsTopic, Writer.DomainId, ros2.DiagnosticsPeriod.TotalMilliseconds);
            using var timer = new PeriodicTimer(ros2.DiagnosticsPeriod, _time);
            Build(); // marks the start of the first window
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var result = Writer.Publish(Build());
                if (result != DdsStatus.Ok && !_failureLogged)
                {
                    _failureLogged = true;
                    LogWriteFailed(_logger, ros2.DiagnosticsTopic, result.ToString());
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Writer.Dispose();
            Writer = null;
        }
    }

    [LoggerMessage(35, LogLevel.Information, "ROS 2 diagnostics: publishing diagnostic_msgs/DiagnosticArray on {Topic} (domain {Domain}) every {PeriodMs:F0} ms")]
    private static partial void LogPublishing(ILogger logger, string topic, uint domain, double periodMs);

    [LoggerMessage(36, LogLevel.Warning, "ROS 2 diagnostics on {Topic} are off: {Reason}. The loops run on; set hal.ros2.diagnostics_topic: \"\" to silence this")]
    private static partial void LogUnavailable(ILogger logger, string topic, string reason);

    [LoggerMessage(37, LogLevel.Warning, "ROS 2 diagnostics: writing to {Topic} failed ({Status}); further failures are counted, not logged")]
    private static partial void LogWriteFailed(ILogger logger, string topic, string status);
}
