using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Sampling;
using EdgeAgent.Hal;

namespace EdgeAgent.Control;

/// <summary>
/// One motor tick: read the HAL, check safety, hand the base state to the balance loop, compute the joint
/// commands (or the safe output), write them. The body the 1 kHz loop thread runs; it never allocates, locks,
/// logs or throws.
/// </summary>
internal sealed class MotorLoop : ILoopBody
{
    private readonly IRobotHal _hal;
    private readonly MotorController _controller;
    private readonly SafetySupervisor _safety;
    private readonly SafeOutput _safeOutput;
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
    private readonly long _commandMaxAgeNs;
    private bool _wasStopped;
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
        _safeOutput = parts.SafeOutput;
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
        _commandMaxAgeNs = (long)(3e9 / parts.BalanceRateHz);
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

    /// <summary>Gets how many HAL writes failed.</summary>
    public long WriteFailures => Volatile.Read(ref _writeFailures);

    /// <inheritdoc/>
    void ILoopBody.Tick(in LoopTick tick) => Tick(tick.WakeNs, tick.Overruns);

    /// <summary>Runs one tick.</summary>
    /// <param name="nowNs">The tick's wake-up time on the loop clock (ns).</param>
    /// <param name="overruns">The loop's total overruns so far.</param>
    public void Tick(long nowNs, long overruns)
    {
        HalStatus status = _hal.Read(State);
        if (status != HalStatus.Ok)
        {
            _notFresh++;
        }
        else
        {
            StateAge.Record(Math.Max(0, nowNs - State.StampNs));
        }

        SafetyState safety = _safety.Check(status, State, overruns, nowNs);
        PublishBaseState();

        if (safety == SafetyState.SafeStop)
        {
            _safeOutput.Apply(State, Commands);
            _wasStopped = true;
        }
        else
        {
            if (_wasStopped)
            {
                _controller.ResetIntegrators();
                _safeOutput.Release();
                _wasStopped = false;
            }

            _reference.Evaluate(nowNs, _positionRef, _velocityRef, _accelerationRef);
            ApplyBalanceCommand(nowNs);
            _controller.Compute(State, _positionRef, _velocityRef, _accelerationRef, _periodSeconds, Commands);
        }

        if (_hal.Write(Commands) != HalStatus.Ok)
        {
            _writeFailures++;
        }

        _sampler.OnMotorTick(nowNs, State, Commands, safety, _safety.Cause, overruns);

        Volatile.Write(ref _ticks, _ticks + 1);
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
        if (_fromBalance.TryRead(out BalanceCommand command) && nowNs - command.StampNs <= _commandMaxAgeNs)
        {
            acceleration = command.AccelerationMps2;
            velocity = command.VelocityMps + (acceleration * Math.Max(0, nowNs - command.StampNs) * 1e-9);
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
