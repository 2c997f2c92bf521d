using EdgeAgent.Hal;

namespace EdgeAgent.Control;

/// <summary>
/// Per-joint PID with anti-windup and feed-forward toward the references, then limits. Runs on the motor
/// thread only; no allocation, lock or exception per call.
/// </summary>
/// <remarks>
/// Per joint i, with e = p_ref − p and ė = v_ref − v:
/// τ = kp·e + I + kd·ė + ffv·v_ref + ffa·a_ref + fff·sign(v_ref), where I integrates ki·e·dt, clamped to
/// ±integral_limit, and is frozen while the output is saturated in the direction the error pushes
/// (conditional integration). Then: the position reference is clamped to the joint's limits before use;
/// τ is clamped to ±effort_max; past velocity_max, torque that would speed the joint up further is removed.
/// </remarks>
internal sealed class MotorController
{
    private const double FrictionDeadbandRadPerSec = 1e-3;

    private readonly double[] _integral;

    /// <summary>Initializes a new instance of the <see cref="MotorController"/> class.</summary>
    /// <param name="jointCount">The number of joints.</param>
    public MotorController(int jointCount)
    {
        _integral = new double[jointCount];
    }

    /// <summary>Clears the integrators (after a safe stop, so a reset does not start with wound-up terms).</summary>
    public void ResetIntegrators() => Array.Clear(_integral);

    /// <summary>Computes the commanded efforts.</summary>
    /// <param name="g">The tick's gains and limits (from its tuning snapshot).</param>
    /// <param name="state">The measured state.</param>
    /// <param name="positionRef">Position references (rad); clamped to limits in place.</param>
    /// <param name="velocityRef">Velocity references (rad/s).</param>
    /// <param name="accelerationRef">Acceleration references (rad/s²).</param>
    /// <param name="dt">The loop period (s).</param>
    /// <param name="commands">Receives efforts and the references used.</param>
    public void Compute(
        MotorGains g,
        RobotState state,
        Span<double> positionRef,
        ReadOnlySpan<double> velocityRef,
        ReadOnlySpan<double> accelerationRef,
        double dt,
        JointCommands commands)
    {
        double[] position = state.Position;
        double[] velocity = state.Velocity;
        double[] effort = commands.Effort;
        int n = _integral.Length;
        for (int i = 0; i < n; i++)
        {
            double pRef = Math.Clamp(positionRef[i], g.PositionMin[i], g.PositionMax[i]);
            positionRef[i] = pRef;
            double vRef = velocityRef[i];
            double e = pRef - position[i];
            double ev = vRef - velocity[i];

            double friction = Math.Abs(vRef) > FrictionDeadbandRadPerSec ? Math.CopySign(g.FeedForwardFriction[i], vRef) : 0.0;
            double unsaturated = (g.Kp[i] * e) + _integral[i] + (g.Kd[i] * ev)
                + (g.FeedForwardVelocity[i] * vRef) + (g.FeedForwardAcceleration[i] * accelerationRef[i]) + friction;

            double limit = g.EffortMax[i];
            double tau = Math.Clamp(unsaturated, -limit, limit);

            // Conditional integration: integrate unless saturated and the error would push further into the limit.
            bool saturatedSameWay = tau != unsaturated && Math.Sign(e) == Math.Sign(unsaturated);
            if (!saturatedSameWay)
            {
                double iLimit = g.IntegralLimit[i];
                _integral[i] = Math.Clamp(_integral[i] + (g.Ki[i] * e * dt), -iLimit, iLimit);
            }

            double vMax = g.VelocityMax[i];
            double v = velocity[i];
            if ((v > vMax && tau > 0) || (v < -vMax && tau < 0))
            {
                tau = 0.0;
            }

            effort[i] = double.IsFinite(tau) ? tau : 0.0;
            commands.Position[i] = pRef;
            commands.Velocity[i] = vRef;
        }

        commands.SafeOutput = false;
    }
}
