using System.Diagnostics;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// Starts the HAL and the two loop threads, and on stop brings the robot to a safe stop before joining them.
/// Not a BackgroundService: the loops run on their own real-time threads, this only starts and joins them.
/// </summary>
internal sealed class ControlLoopsService : IHostedService, IDisposable
{
    private static readonly TimeSpan SafeStopTimeout = TimeSpan.FromMilliseconds(500);

    private const int SafeStopTicks = 5;

    private readonly ControlParts _parts;
    private readonly AgentOptions _options;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private LoopThread? _motor;
    private LoopThread? _balance;
    private CpuIdleLimit? _idleLimit;
    private TimeSpan _cpuAtStart;
    private readonly Stopwatch _running = new();

    /// <summary>Initializes a new instance of the <see cref="ControlLoopsService"/> class.</summary>
    public ControlLoopsService(ControlParts parts, AgentOptions options, ILogger<ControlLoopsService> logger, IHostApplicationLifetime lifetime)
    {
        _parts = parts;
        _options = options;
        _logger = logger;
        _lifetime = lifetime;
    }

    /// <summary>Gets the motor loop thread, once started.</summary>
    public LoopThread? Motor => _motor;

    /// <summary>Gets the balance loop thread, once started (null when balance is disabled).</summary>
    public LoopThread? Balance => _balance;

    /// <summary>Gets the time from process start to the first motor tick.</summary>
    public TimeSpan StartToFirstTick { get; private set; }

    /// <summary>Gets or sets how long start-up waits for the HAL's first measurement. The default value is 10 s.</summary>
    internal TimeSpan FirstMeasurementTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the safety state just before the shutdown stop was commanded.</summary>
    public SafetyState StateBeforeStop { get; private set; }

    /// <summary>Gets the safety cause just before the shutdown stop was commanded.</summary>
    public SafetyCause CauseBeforeStop { get; private set; }

    /// <summary>Gets the process CPU time spent while the loops ran (start-up excluded).</summary>
    public TimeSpan LoopsCpuTime { get; private set; }

    /// <summary>Gets how long the loops ran.</summary>
    public TimeSpan LoopsWallTime => _running.Elapsed;

    /// <summary>Gets a value indicating whether a loop thread failed.</summary>
    public bool Faulted { get; private set; }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Compile the hot path and run it once on a throwaway simulated robot, then start the real HAL as
        // late as possible, right before the threads.
        HotPath.Prepare(
            typeof(MotorLoop), typeof(BalanceLoop), typeof(MotorController), typeof(BalanceController), typeof(SafetySupervisor),
            typeof(SafeOutput), typeof(Mailbox<BalanceInput>), typeof(Mailbox<BalanceCommand>), typeof(LoopThread), _parts.Hal.GetType(),
            _parts.Reference.GetType());
        ControlWarmup.Run(_options);
        _parts.Hal.Start(cancellationToken);
        WaitForFirstMeasurement(cancellationToken);
        if (_options.Timing.LimitCpuIdle)
        {
            _idleLimit = CpuIdleLimit.TryHold(0, out string? warning);
            if (warning is not null)
            {
                HostingLog.CpuIdleNotLimited(_logger, warning);
            }
        }

        if (_parts.BalanceEnabled)
        {
            _balance = new LoopThread(LoopSettings.ForBalance(_options.Timing, _options.Balance), _parts.BalanceLoop, _logger, ex => OnFault("balance", ex));
            _balance.Start();
        }

        _motor = new LoopThread(LoopSettings.ForMotor(_options.Timing, _options.Motor), _parts.Motor, _logger, ex => OnFault("motor", ex));
        _motor.Start();
        _running.Start();
        _cpuAtStart = ProcessCpu();

        var wait = Stopwatch.StartNew();
        while (_parts.Motor.Ticks == 0 && wait.Elapsed < TimeSpan.FromSeconds(2))
        {
            Thread.Sleep(0);
        }

        StartToFirstTick = DateTime.Now - Process.GetCurrentProcess().StartTime;
        HostingLog.LoopsRunning(_logger, StartToFirstTick.TotalMilliseconds, RealtimeText.Describe(_motor.Report), _balance is null ? "disabled" : RealtimeText.Describe(_balance.Report));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_motor is not null)
        {
            // Safe stop first: the motor loop must write the safe output for a few ticks before it stops.
            StateBeforeStop = _parts.Safety.State;
            CauseBeforeStop = _parts.Safety.Cause;
            _parts.Safety.RequestStop();
            long target = _parts.Motor.Ticks + SafeStopTicks;
            var wait = Stopwatch.StartNew();
            while (_parts.Motor.Ticks < target && !Faulted && wait.Elapsed < SafeStopTimeout)
            {
                Thread.Sleep(1);
            }

            if (_parts.Motor.Ticks < target)
            {
                HostingLog.SafeStopTimeout(_logger, (int)SafeStopTimeout.TotalMilliseconds);
            }
            else
            {
                HostingLog.SafeStopped(_logger, _options.Safety.StopAction.ToString(), SafeStopTicks);
            }

            _running.Stop();
            LoopsCpuTime = ProcessCpu() - _cpuAtStart;
            _motor.Stop();
        }

        _balance?.Stop();
        _idleLimit?.Dispose();
        _idleLimit = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _motor?.Dispose();
        _balance?.Dispose();
        _idleLimit?.Dispose();
        _parts.Hal.Dispose();
    }

    /// <summary>
    /// Waits until the HAL has a fresh measurement before the loops start: a networked HAL (ROS 2) needs
    /// discovery first, and starting the loops without data would only trip the stale-data safety at once.
    /// </summary>
    private void WaitForFirstMeasurement(CancellationToken cancellationToken)
    {
        var probe = new RobotState(_parts.JointCount);
        var wait = Stopwatch.StartNew();
        while (_parts.Hal.Read(probe) != HalStatus.Ok)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (wait.Elapsed > FirstMeasurementTimeout)
            {
                throw new InvalidOperationException(
                    $"The {_options.Hal.Driver.ToString().ToLowerInvariant()} HAL delivered no measurement within {FirstMeasurementTimeout.TotalSeconds:F0} s, so the loops were not started. "
                    + "Fix: check that the robot (or `edge-agent simulate --ros2`) is running and publishing on the configured topics and domain (ros2 topic echo /joint_states).");
            }

            Thread.Sleep(5);
        }

        HostingLog.FirstMeasurement(_logger, wait.Elapsed.TotalMilliseconds);
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private void OnFault(string loop, Exception exception)
    {
        Faulted = true;
        HostingLog.LoopFailed(_logger, loop, exception);
        Environment.ExitCode = 1;
        _lifetime.StopApplication();
    }
}
