using EdgeAgent.Configuration;
using EdgeAgent.Hal;

namespace EdgeAgent.Control.Safety;

/// <summary>
/// The commands the joints get in SAFE_STOP: zero torque, or a stiff, torque-limited hold of the pose the
/// robot had when the stop latched. Motor thread only; no allocation.
/// </summary>
internal sealed class SafeOutput
{
    private readonly StopAction _action;
    private readonly double _kp;
    private readonly double _kd;
    private readonly double[] _effortMax;
    private readonly double[] _holdPose;
    private bool _holding;

    /// <summary>Initializes a new instance of the <see cref="SafeOutput"/> class.</summary>
    /// <param name="options">The validated configuration.</param>
    public SafeOutput(AgentOptions options)
    {
        _action = options.Safety.StopAction;
        _kp = options.Safety.HoldKp;
        _kd = options.Safety.HoldKd;
        _effortMax = options.Robot.Joints.Select(j => j.EffortMax).ToArray();
        _holdPose = new double[_effortMax.Length];
    }

    /// <summary>Forgets the hold pose; the next <see cref="Apply"/> captures a new one.</summary>
    public void Release() => _holding = false;

    /// <summary>Writes the safe commands for this tick.</summary>
    /// <param name="state">The measured state.</param>
    /// <param name="commands">Receives the safe commands.</param>
    public void Apply(RobotState state, JointCommands commands)
    {
        if (!_holding)
        {
            state.Position.AsSpan().CopyTo(_holdPose);
            _holding = true;
        }

        for (int i = 0; i < _holdPose.Length; i++)
        {
            double tau = 0.0;
            if (_action == StopAction.Hold)
            {
                double p = state.Position[i];
                double v = state.Velocity[i];
                tau = double.IsFinite(p) && double.IsFinite(v)
                    ? Math.Clamp((_kp * (_holdPose[i] - p)) - (_kd * v), -_effortMax[i], _effortMax[i])
                    : 0.0;
            }

            commands.Effort[i] = tau;
            commands.Position[i] = _holdPose[i];
            commands.Velocity[i] = 0.0;
        }

        commands.SafeOutput = true;
    }
}
