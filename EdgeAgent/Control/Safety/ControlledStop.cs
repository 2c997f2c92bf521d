// Design: the sequence of a latched stop, in the vocabulary of IEC 60204-1 §9.2.2.
//
//   category 0:  TorqueOff at once.
//   category 1:  Stopping ──(at rest for SettleNs)──► Lowering ──(legs at the rest pose)──► TorqueOff
//   category 2:  Stopping ──(at rest for SettleNs)──► Holding (torque kept until a reset)
//   any phase but TorqueOff ──(timeout, a second fault, rest not reached)──► TorqueOff (escalation)
//
// A balancing base that loses torque falls, so "controlled" here means the balance loop keeps running: in
// Stopping, Lowering and Holding it keeps the base upright around the point where the stop began (it reads
// Phase and StopSequence and re-anchors its travel origin once per stop), which brings the base velocity to
// zero. The legs hold the pose they had at the trip with the normal joint controllers, their torque limited
// to stop_effort_fraction of effort_max; in Lowering they follow a smoothstep from there to the rest pose.
// "At rest": base speed, tilt rate and every leg joint's speed under small thresholds, continuously for
// SettleNs. Threads: motor thread only (the supervisor calls it inside Check); Phase is published by the
// supervisor. No allocation, lock, logging or exception.
using EdgeAgent.Configuration;
using EdgeAgent.Hal;

namespace EdgeAgent.Control.Safety;

/// <summary>The phase machine of a latched stop and the leg references it commands.</summary>
internal sealed class ControlledStop
{
    /// <summary>How long the robot must stay at rest before a controlled stop counts as stopped (ns).</summary>
    internal const long SettleNs = 250_000_000;

    /// <summary>How much longer than rest_time the legs may take to reach the rest pose (ns).</summary>
    internal const long RestGraceNs = 1_000_000_000;

    private const double BaseSpeedAtRest = 0.05;     // m/s
    private const double TiltRateAtRest = 0.15;      // rad/s
    private const double JointSpeedAtRest = 0.2;     // rad/s
    private const double RestPoseTolerance = 0.05;   // rad

    private readonly bool[] _leg;
    private readonly int _leftWheel;
    private readonly int _rightWheel;
    private readonly double _wheelRadius;
    private readonly double[] _holdPose;
    private readonly double[] _lowerFrom;
    private readonly double[] _restTarget;
    private long _startNs;
    private long _phaseStartNs;
    private long _settledSinceNs = -1;
    private long _restTimeNs;

    /// <summary>Initializes a new instance of the <see cref="ControlledStop"/> class.</summary>
    /// <param name="options">The validated configuration.</param>
    public ControlledStop(AgentOptions options)
    {
        var names = options.Robot.Joints.Select(j => j.Name).ToList();
        List<string> drive = options.Balance.DriveJoints;
        _leftWheel = drive.Count == 2 ? names.IndexOf(drive[0]) : -1;
        _rightWheel = drive.Count == 2 ? names.IndexOf(drive[1]) : -1;
        _wheelRadius = options.Balance.WheelRadius;
        _leg = options.Robot.Joints.Select((j, i) => i != _leftWheel && i != _rightWheel && !j.Continuous).ToArray();
        _holdPose = new double[names.Count];
        _lowerFrom = new double[names.Count];
        _restTarget = new double[names.Count];
    }

    /// <summary>Gets the phase.</summary>
    public StopPhase Phase { get; private set; }

    /// <summary>Gets the category of the current stop.</summary>
    public StopCategory Category { get; private set; }

    /// <summary>Gets a value indicating whether a leg joint (not a wheel, not continuous) is at index <paramref name="joint"/>.</summary>
    /// <param name="joint">The joint index.</param>
    /// <returns>Whether the joint is a leg joint.</returns>
    public bool IsLeg(int joint) => _leg[joint];

    /// <summary>Starts a stop of <paramref name="category"/> from the measured state.</summary>
    public void Begin(StopCategory category, RobotState state, long nowNs)
    {
        Category = category;
        _startNs = nowNs;
        _phaseStartNs = nowNs;
        _settledSinceNs = -1;
        for (int i = 0; i < _holdPose.Length; i++)
        {
            double p = state.Position[i];
            _holdPose[i] = double.IsFinite(p) ? p : 0.0;
        }

        Phase = category == StopCategory.Category0 ? StopPhase.TorqueOff : StopPhase.Stopping;
    }

    /// <summary>Removes torque now (category 0), whatever the phase.</summary>
    public void Escalate() => Phase = StopPhase.TorqueOff;

    /// <summary>Ends the stop (a reset).</summary>
    public void Clear() => Phase = StopPhase.None;

    /// <summary>Turns a category 2 stop into <paramref name="category"/> (a shutdown must end with the robot at rest).</summary>
    /// <param name="category">The category to finish as.</param>
    public void FinishAs(StopCategory category)
    {
        if (Phase is StopPhase.None or StopPhase.TorqueOff || Category != StopCategory.Category2 || category == StopCategory.Category2)
        {
            return;
        }

        Category = category;
        if (category == StopCategory.Category0)
        {
            Phase = StopPhase.TorqueOff;
        }
        else if (Phase == StopPhase.Holding)
        {
            Phase = StopPhase.Stopping;
            _settledSinceNs = -1;
        }
    }

    /// <summary>Advances the phase machine one motor tick.</summary>
    /// <param name="state">The measured state.</param>
    /// <param name="limits">The tick's safety limits.</param>
    /// <param name="nowNs">The tick time (ns).</param>
    /// <returns>Why the stop escalated this tick, or <see cref="StopEscalation.None"/>.</returns>
    public StopEscalation Advance(RobotState state, SafetyLimits limits, long nowNs)
    {
        switch (Phase)
        {
            case StopPhase.Stopping:
                if (nowNs - _startNs > limits.ControlledStopTimeNs)
                {
                    Phase = StopPhase.TorqueOff;
                    return StopEscalation.Timeout;
                }

                if (!AtRest(state))
                {
                    _settledSinceNs = -1;
                    return StopEscalation.None;
                }

                if (_settledSinceNs < 0)
                {
                    _settledSinceNs = nowNs;
                }
                else if (nowNs - _settledSinceNs >= SettleNs)
                {
                    BeginRest(state, limits, nowNs);
                }

                return StopEscalation.None;

            case StopPhase.Lowering:
                if (nowNs - _phaseStartNs >= _restTimeNs && LegsAtRest(state))
                {
                    Phase = StopPhase.TorqueOff;
                    return StopEscalation.None;
                }

                if (nowNs - _phaseStartNs > _restTimeNs + RestGraceNs)
                {
                    Phase = StopPhase.TorqueOff;
                    return StopEscalation.RestNotReached;
                }

                return StopEscalation.None;

            default:
                return StopEscalation.None;
        }
    }

    /// <summary>Writes the leg references of a controlled stop; the wheels get zero (the balance loop adds its own).</summary>
    public void Reference(long nowNs, Span<double> position, Span<double> velocity, Span<double> acceleration)
    {
        velocity.Clear();
        acceleration.Clear();
        double s = 0.0, ds = 0.0;
        if (Phase == StopPhase.Lowering)
        {
            // Smoothstep from the pose at the start of lowering to the rest pose: zero velocity at both ends.
            double t = _restTimeNs <= 0 ? 1.0 : Math.Clamp((double)(nowNs - _phaseStartNs) / _restTimeNs, 0.0, 1.0);
            s = t * t * (3.0 - (2.0 * t));
            ds = _restTimeNs <= 0 || t >= 1.0 ? 0.0 : 6.0 * t * (1.0 - t) / (_restTimeNs * 1e-9);
        }

        for (int i = 0; i < position.Length; i++)
        {
            if (Phase == StopPhase.Lowering && _leg[i])
            {
                double delta = _restTarget[i] - _lowerFrom[i];
                position[i] = _lowerFrom[i] + (s * delta);
                velocity[i] = ds * delta;
            }
            else
            {
                position[i] = _holdPose[i];
            }
        }
    }

    private void BeginRest(RobotState state, SafetyLimits limits, long nowNs)
    {
        _phaseStartNs = nowNs;
        if (Category != StopCategory.Category1)
        {
            Phase = StopPhase.Holding;
            return;
        }

        _restTimeNs = limits.RestTimeNs;
        for (int i = 0; i < _lowerFrom.Length; i++)
        {
            double p = state.Position[i];
            _lowerFrom[i] = double.IsFinite(p) ? p : _holdPose[i];
            _restTarget[i] = limits.RestPose[i];
        }

        Phase = StopPhase.Lowering;
    }

    private bool AtRest(RobotState state)
    {
        if (_leftWheel >= 0)
        {
            double v = _wheelRadius * 0.5 * (state.Velocity[_leftWheel] + state.Velocity[_rightWheel]);
            if (Math.Abs(v) > BaseSpeedAtRest || (state.Imu.Valid && Math.Abs(state.Imu.TiltRateRadPerSec) > TiltRateAtRest))
            {
                return false;
            }
        }

        for (int i = 0; i < _leg.Length; i++)
        {
            if (_leg[i] && Math.Abs(state.Velocity[i]) > JointSpeedAtRest)
            {
                return false;
            }
        }

        return true;
    }

    private bool LegsAtRest(RobotState state)
    {
        for (int i = 0; i < _leg.Length; i++)
        {
            if (_leg[i] && Math.Abs(state.Position[i] - _restTarget[i]) > RestPoseTolerance)
            {
                return false;
            }
        }

        return true;
    }
}
