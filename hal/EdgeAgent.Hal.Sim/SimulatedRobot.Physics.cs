namespace EdgeAgent.Hal.Sim;

/// <content>The physics state and its integration; see the design notes in SimulatedRobot.cs.</content>
public sealed partial class SimulatedRobot
{
    private long _substepNs;
    private double _damping;
    private double _friction;
    private double _torqueMax;
    private double _wheelRadius;
    private double _trackWidth;
    private double _baseMass;
    private double _pendulumLength;
    private double _gravity;
    private double _idlePowerW;
    private double _positionSigma;
    private double _velocitySigma;
    private double _imuSigma;
    private int _leftWheel = -1;
    private int _rightWheel = -1;
    private double[]? _restPose;
    private bool _seated;

    private double _tilt;
    private double _tiltRate;
    private bool _fallen;
    private double _x;
    private double _y;
    private double _heading;
    private double _forwardVelocity;
    private double _yawRate;

    private bool HasWheels => _leftWheel >= 0;

    private void LoadParameters(SimRobotOptions o)
    {
        _substepNs = o.Substep.Ticks * TimeSpan.NanosecondsPerTick;
        _damping = o.JointDamping;
        _friction = o.JointFriction;
        _torqueMax = o.MotorTorqueMax;
        _wheelRadius = o.WheelRadius;
        _trackWidth = o.TrackWidth;
        _baseMass = o.BaseMass;
        _pendulumLength = o.PendulumLength;
        _gravity = o.Gravity;
        _idlePowerW = o.IdlePowerW;
        _positionSigma = o.PositionNoise;
        _velocitySigma = o.VelocityNoise;
        _imuSigma = o.ImuNoise;
        _leftWheel = o.LeftWheelIndex;
        _rightWheel = o.RightWheelIndex;
        _restPose = o.RestStand ? o.RestPose : null;

        var wheelInertia = o.JointInertia + (o.BaseMass * o.WheelRadius * o.WheelRadius / 2.0);
        for (var i = 0; i < _q.Length; i++)
        {
            var isWheel = i == _leftWheel || i == _rightWheel;
            _invInertia[i] = 1.0 / (isWheel ? wheelInertia : o.JointInertia);
            _q[i] = o.InitialJointPositions?[i] ?? 0.0;
        }

        Array.Clear(_qd);
        Array.Clear(_applied);
        Array.Clear(_loadTorque);
        Array.Clear(_loadUntilNs);
        Array.Clear(_stallUntilNs);
        _tilt = o.InitialTiltRad;
        _tiltRate = 0.0;
        _fallen = false;
        _seated = false;
        _x = _y = _heading = _forwardVelocity = _yawRate = 0.0;
        _pushForce = 0.0;
        _pushUntilNs = 0;
        _dropUntilNs = 0;
    }

    private void AdvanceTo(long targetNs)
    {
        while (_physicsNs < targetNs)
        {
            var stepNs = Math.Min(_substepNs, targetNs - _physicsNs);
            Step(stepNs * 1e-9, _physicsNs);
            _physicsNs += stepNs;
        }
    }

    private void Step(double dt, long startNs)
    {
        var power = _idlePowerW;
        var leftAcceleration = 0.0;
        var rightAcceleration = 0.0;
        for (var i = 0; i < _q.Length; i++)
        {
            var acceleration = StepJoint(i, dt, startNs);
            if (i == _leftWheel)
            {
                leftAcceleration = acceleration;
            }
            else if (i == _rightWheel)
            {
                rightAcceleration = acceleration;
            }

            var tau = _applied[i];
            power += (Math.Abs(tau * _qd[i]) / BatteryModel.DriveEfficiency) + (BatteryModel.CopperLossPerNm2 * tau * tau);
        }

        _battery.Drain(power, dt);
        if (!HasWheels)
        {
            return;
        }

        var left = _qd[_leftWheel];
        var right = _qd[_rightWheel];
        _forwardVelocity = _wheelRadius * (left + right) / 2.0;
        _yawRate = _wheelRadius * (right - left) / _trackWidth;
        _heading = Math.IEEERemainder(_heading + (_yawRate * dt), 2.0 * Math.PI);
        _x += _forwardVelocity * Math.Cos(_heading) * dt;
        _y += _forwardVelocity * Math.Sin(_heading) * dt;

        _seated = IsSeated();
        if (_seated)
        {
            StepSeated(dt);
        }
        else if (!_fallen)
        {
            StepPendulum(dt, _wheelRadius * (leftAcceleration + rightAcceleration) / 2.0, startNs);
        }
    }

    /// <summary>Integrates one joint over <paramref name="dt"/> and returns its mean acceleration over the step.</summary>
    private double StepJoint(int i, double dt, long startNs)
    {
        var v = _qd[i];
        if (startNs < _stallUntilNs[i])
        {
            _qd[i] = 0.0;
            return -v / dt;
        }

        var tau = _applied[i];
        if (startNs < _loadUntilNs[i])
        {
            tau -= _loadTorque[i];
        }

        double next;
        if (Math.Abs(v) < StictionVelocity)
        {
            next = Math.Abs(tau) <= _friction
                ? 0.0
                : v + ((tau - Math.CopySign(_friction, tau) - (_damping * v)) * _invInertia[i] * dt);
        }
        else
        {
            next = v + ((tau - (_damping * v) - Math.CopySign(_friction, v)) * _invInertia[i] * dt);
            if (next * v < 0.0)
            {
                next = 0.0;
            }
        }

        _qd[i] = next;
        _q[i] += next * dt;
        return (next - v) / dt;
    }

    /// <summary>On the rest stand when every non-wheel joint is within <see cref="RestStandTolerance"/> of the rest pose.</summary>
    private bool IsSeated()
    {
        if (_restPose is null || _fallen)
        {
            return false;
        }

        for (var i = 0; i < _q.Length; i++)
        {
            if (i != _leftWheel && i != _rightWheel && Math.Abs(_q[i] - _restPose[i]) > RestStandTolerance)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The chassis rests on its stand: ground contact pulls the tilt to 0 (critically damped, ω = 15 rad/s).</summary>
    private void StepSeated(double dt)
    {
        const double Omega = 15.0;
        var angularAcceleration = (-Omega * Omega * _tilt) - (2.0 * Omega * _tiltRate);
        _tiltRate += angularAcceleration * dt;
        _tilt += _tiltRate * dt;
    }

    private void StepPendulum(double dt, double baseAcceleration, long startNs)
    {
        var sin = Math.Sin(_tilt);
        var cos = Math.Cos(_tilt);
        var push = startNs < _pushUntilNs ? _pushForce : 0.0;
        var angularAcceleration = (((_gravity * sin) - (baseAcceleration * cos)) / _pendulumLength)
            + (push * cos / (_baseMass * _pendulumLength));
        _tiltRate += angularAcceleration * dt;
        _tilt += _tiltRate * dt;
        if (Math.Abs(_tilt) >= HalfPi)
        {
            _tilt = Math.CopySign(HalfPi, _tilt);
            _tiltRate = 0.0;
            _fallen = true;
        }
    }
}
