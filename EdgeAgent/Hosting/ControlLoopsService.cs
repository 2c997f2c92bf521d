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
    /// <summary>How many safe commands the motor loop writes after the stop sequence ends, before the loops stop.</summary>
    private const int SafeStopWrites = 5;

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

    /// <summary>Gets how long the shutdown stop took, from the request to its last safe write.</summary>
    public TimeSpan ShutdownStopTime { get; private set; }

    /// <summary>Gets the phase the shutdown stop ended in (torque off, or holding for category 2).</summary>
    public StopPhase ShutdownPhase { get; private set; }

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
            typeof(ControlledStop), typeof(StallMonitor), typeof(TuningCell), typeof(Mailbox<BalanceInput>), typeof(Mailbox<BalanceCommand>), typeof(LoopThread), _parts.Hal.GetType(),
            _parts.Reference.GetType());
        ControlWarmup.Run(_options);
        HostingLog.Kernel(_logger, KernelReport.Describe(KernelReport.Read()));
        _parts.Hal.Start(cancellationToken);
        WaitForFirstMeasurement(cancellationToken);
        if (_parts.Hal is EdgeAgent.Hal.Ros2.Ros2RobotHal { ReceivePriorityWarning: { } rxWarning })
        {
            HostingLog.SetupWarning(_logger, rxWarning);
        }
        if (_options.Timing.LimitCpuIdle)
        {
            _idleLimit = CpuIdleLimit.TryHold(0, out string? warning);
            if (warning is not null)
            {
                HostingLog.SetupWarning(_logger, warning);
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
            // The shutdown stop first (irrevocable: no reset cancels it): the controlled stop runs its sequence
            // (category 1: at rest, lowered, torque off), then the motor loop writes the safe output a few more
            // times; only then do the threads stop. Counted in successful safe writes, not in ticks.
            StateBeforeStop = _parts.Safety.State;
            CauseBeforeStop = _parts.Safety.Cause;
            _parts.Safety.RequestShutdown();
            TimeSpan budget = ShutdownBudget(_options);
            var wait = Stopwatch.StartNew();
            while (!IsFinal(_parts.Safety.Phase) && !Faulted && wait.Elapsed < budget)
            {
                Thread.Sleep(1);
            }

            long writesAtEnd = _parts.Motor.SafeWrites;
            var writes = Stopwatch.StartNew();
            while (_parts.Motor.SafeWrites < writesAtEnd + SafeStopWrites && !Faulted && writes.Elapsed < TimeSpan.FromSeconds(1))
            {
                Thread.Sleep(1);
            }

            ShutdownStopTime = wait.Elapsed;
            ShutdownPhase = _parts.Safety.Phase;
            if (!IsFinal(ShutdownPhase) || _parts.Motor.SafeWrites < writesAtEnd + SafeStopWrites)
            {
                HostingLog.SafeStopTimeout(_logger, (int)budget.TotalMilliseconds, SafetyText.Phase(ShutdownPhase), _parts.Motor.SafeWrites);
            }
            else
            {
                HostingLog.SafeStopped(_logger, SafetyText.Category(_parts.Safety.Category), SafetyText.Phase(ShutdownPhase), ShutdownStopTime.TotalMilliseconds, _parts.Motor.SafeWrites);
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

    /// <summary>The longest a shutdown stop may take: a controlled stop, lowering to rest, and their margins.</summary>
    /// <param name="options">The configuration.</param>
    /// <returns>The budget.</returns>
    public static TimeSpan ShutdownBudget(AgentOptions options) =>
        options.Safety.ControlledStopTime + options.Safety.RestTime
        + TimeSpan.FromTicks((ControlledStop.SettleNs + ControlledStop.RestGraceNs) / TimeSpan.NanosecondsPerTick)
        + TimeSpan.FromSeconds(1);

    private static bool IsFinal(StopPhase phase) => phase is StopPhase.TorqueOff or StopPhase.Holding;

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
