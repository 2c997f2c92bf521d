using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Sampling;
using EdgeAgent.Hal;

namespace EdgeAgent.Control;

/// <summary>
/// One motor tick: read the tuning snapshot once, read the HAL, check safety, hand the base state to the
/// balance loop, compute the joint commands (normal, a controlled stop, or torque off), write them. The body
/// the 1 kHz loop thread runs; it never allocates, locks, logs or throws.
/// </summary>
internal sealed class MotorLoop : ILoopBody
{
    private readonly IRobotHal _hal;
    private readonly MotorController _controller;
    private readonly SafetySupervisor _safety;
    private readonly TuningCell _tuning;
    private readonly IJointReference _reference;
    private readonly Sampler _sampler;
    private readonly Mailbox<BalanceInput> _toBalance;
    private readonly Mailbox<BalanceCommand> _fromBalance;
    private readonly double[] _positionRef;
    private readonly double[] _velocityRef;
    private readonly double[] _accelerationRef;
    private readonly int _leftWheel;
    private readonly int _rightWheel;
    private readonly double _wheelRadius;
    private readonly double _periodSeconds;
    private readonly long _balancePeriodNs;
    private BalanceCommand _lastCommand;
    private bool _haveCommand;
    private bool _wasStopped;
    private long _safeWrites;
    private long _ticks;
    private long _notFresh;
    private long _writeFailures;

    /// <summary>Initializes a new instance of the <see cref="MotorLoop"/> class.</summary>
    /// <param name="parts">The parts of the control stack this loop uses.</param>
    public MotorLoop(ControlParts parts)
    {
        _hal = parts.Hal;
        _controller = parts.Controller;
        _safety = parts.Safety;
        _tuning = parts.Tuning;
        _reference = parts.Reference;
        _sampler = parts.Sampler;
        _toBalance = parts.ToBalance;
        _fromBalance = parts.FromBalance;
        int n = parts.JointCount;
        State = new RobotState(n);
        Commands = new JointCommands(n);
        _positionRef = new double[n];
        _velocityRef = new double[n];
        _accelerationRef = new double[n];
        _leftWheel = parts.LeftWheel;
        _rightWheel = parts.RightWheel;
        _wheelRadius = parts.WheelRadius;
        _periodSeconds = 1.0 / parts.MotorRateHz;
        _balancePeriodNs = (long)(1e9 / parts.BalanceRateHz);
    }

    /// <summary>Gets the state read this tick (motor thread; others read it only when the loop is stopped).</summary>
    public RobotState State { get; }

    /// <summary>Gets the commands written this tick.</summary>
    public JointCommands Commands { get; }

    /// <summary>
    /// Gets the age of each fresh HAL measurement when the motor loop took it (tick time − measurement
    /// stamp): for a networked HAL, publish → seen by the loop.
    /// </summary>
    public LatencyHistogram StateAge { get; } = new();

    /// <summary>Gets the number of ticks run.</summary>
    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Gets how many ticks the HAL had no fresh measurement.</summary>
    public long NotFreshReads => Volatile.Read(ref _notFresh);

    /// <summary>Gets how many ticks wrote a stop's output (controlled stop or torque off) to the HAL successfully.</summary>
    public long SafeWrites => Volatile.Read(ref _safeWrites);

    /// <summary>Gets how many HAL writes failed.</summary>
    public long WriteFailures => Volatile.Read(ref _writeFailures);

    /// <inheritdoc/>
    void ILoopBody.Tick(in LoopTick tick) => Tick(tick.WakeNs, tick.Overruns);

    /// <summary>Runs one tick.</summary>
    /// <param name="nowNs">The tick's wake-up time on the loop clock (ns).</param>
    /// <param name="overruns">The loop's total overruns so far.</param>
    public void Tick(long nowNs, long overruns)
    {
        ControlTuning tuning = _tuning.Current;   // one snapshot for the whole tick
        HalStatus status = _hal.Read(State);
        if (status != HalStatus.Ok)
        {
            _notFresh++;
        }
        else
        {
            StateAge.Record(Math.Max(0, nowNs - State.StampNs));
        }

        long balanceGapNs = TakeBalanceCommand(nowNs);
        SafetyState safety = _safety.Check(status, State, tuning, overruns, nowNs, balanceGapNs);
        PublishBaseState();

        StopPhase phase = _safety.Phase;
        if (phase == StopPhase.None)
        {
            if (_wasStopped)
            {
                _controller.ResetIntegrators();
                _wasStopped = false;
            }

            _reference.Evaluate(nowNs, _positionRef, _velocityRef, _accelerationRef);
            ApplyBalanceCommand(nowNs);
            _controller.Compute(tuning.Motor, State, _positionRef, _velocityRef, _accelerationRef, _periodSeconds, Commands);
        }
        else if (phase == StopPhase.TorqueOff)
        {
            TorqueOff();
        }
        else
        {
            ControlledStopOutput(nowNs, tuning);
        }

        if (_hal.Write(Commands) != HalStatus.Ok)
        {
            _writeFailures++;
        }
        else if (Commands.SafeOutput)
        {
            Volatile.Write(ref _safeWrites, _safeWrites + 1);
        }

        _sampler.OnMotorTick(nowNs, State, Commands, safety, _safety.Cause, overruns);

        Volatile.Write(ref _ticks, _ticks + 1);
    }

    private void TorqueOff()
    {
        _wasStopped = true;
        double[] position = State.Position;
        for (int i = 0; i < Commands.JointCount; i++)
        {
            Commands.Effort[i] = 0.0;
            Commands.Position[i] = double.IsFinite(position[i]) ? position[i] : 0.0;
            Commands.Velocity[i] = 0.0;
        }

        Commands.SafeOutput = true;
    }

    private void ControlledStopOutput(long nowNs, ControlTuning tuning)
    {
        // The legs hold (or lower to rest) with the normal joint controllers, torque-limited; the wheels keep
        // following the balance loop, which keeps the base upright and brings it to rest.
        if (!_wasStopped)
        {
            _controller.ResetIntegrators();
            _wasStopped = true;
        }

        ControlledStop stop = _safety.Stop;
        stop.Reference(nowNs, _positionRef, _velocityRef, _accelerationRef);
        ApplyBalanceCommand(nowNs);
        MotorGains g = tuning.Motor;
        _controller.Compute(g, State, _positionRef, _velocityRef, _accelerationRef, _periodSeconds, Commands);
        double fraction = tuning.Safety.StopEffortFraction;
        for (int i = 0; i < Commands.JointCount; i++)
        {
            if (stop.IsLeg(i))
            {
                double limit = g.EffortMax[i] * fraction;
                Commands.Effort[i] = Math.Clamp(Commands.Effort[i], -limit, limit);
            }
        }

        Commands.SafeOutput = true;
    }

    /// <summary>Takes the newest balance command; a read that collides with a write keeps the last good one.</summary>
    /// <returns>How much older than one balance period the command in use is (ns); 0 without a balance loop or command.</returns>
    private long TakeBalanceCommand(long nowNs)
    {
        if (_leftWheel < 0)
        {
            return 0;
        }

        if (_fromBalance.TryRead(out BalanceCommand command))
        {
            _lastCommand = command;
            _haveCommand = true;
        }

        // A command is due every balance period; what counts as a gap is how much older than that it is.
        return _haveCommand ? Math.Max(0, nowNs - _lastCommand.StampNs - _balancePeriodNs) : 0;
    }

    private void PublishBaseState()
    {
        if (_leftWheel < 0)
        {
            return;
        }

        double[] p = State.Position;
        double[] v = State.Velocity;
        ImuReading imu = State.Imu;
        _toBalance.Publish(new BalanceInput(
            State.StampNs,
            imu.TiltRad,
            imu.TiltRateRadPerSec,
            imu.Valid,
            _wheelRadius * 0.5 * (p[_leftWheel] + p[_rightWheel]),
            _wheelRadius * 0.5 * (v[_leftWheel] + v[_rightWheel])));
    }

    private void ApplyBalanceCommand(long nowNs)
    {
        if (_leftWheel < 0)
        {
            return;
        }

        double velocity = 0.0;
        double acceleration = 0.0;
        if (_haveCommand)
        {
            // Interpolate within one balance period; past it (a late balance tick) hold the velocity reached
            // rather than extrapolate the acceleration. A gap past safety.max_control_gap trips the supervisor.
            long age = Math.Max(0, nowNs - _lastCommand.StampNs);
            acceleration = age <= _balancePeriodNs ? _lastCommand.AccelerationMps2 : 0.0;
            velocity = _lastCommand.VelocityMps + (_lastCommand.AccelerationMps2 * Math.Min(age, _balancePeriodNs) * 1e-9);
        }

        // The wheels track velocity (their kp is normally 0): keep the position reference on the wheel so a
        // nonzero kp cannot fight the balance loop.
        double wheelVelocity = velocity / _wheelRadius;
        double wheelAcceleration = acceleration / _wheelRadius;
        _positionRef[_leftWheel] = State.Position[_leftWheel];
        _positionRef[_rightWheel] = State.Position[_rightWheel];
        _velocityRef[_leftWheel] += wheelVelocity;
        _velocityRef[_rightWheel] += wheelVelocity;
        _accelerationRef[_leftWheel] += wheelAcceleration;
        _accelerationRef[_rightWheel] += wheelAcceleration;
    }
}
