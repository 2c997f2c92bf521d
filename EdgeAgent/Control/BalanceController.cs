using EdgeAgent.Configuration;

namespace EdgeAgent.Control;

/// <summary>
/// Keeps the base upright: a complementary tilt filter, then full state feedback (LQR-form) on tilt, tilt rate,
/// base travel and velocity, giving the base acceleration the drive wheels must produce.
/// Runs on the balance thread only; no allocation, lock or exception per call.
/// </summary>
/// <remarks>
/// Linearised model: ẍ = a, θ̈ = (g·θ − a)/l. With a = k_x·x + k_v·v + k_θ·θ + k_ω·ω the closed loop is
/// s⁴ + ((k_ω − k_v·l)/l)s³ + ((k_θ − g − k_x·l)/l)s² + (k_v·g/l)s + k_x·g/l, so the default gains put all four
/// poles at −5 rad/s for l = 0.45 m (see config/agent.yaml). Positive gains are stabilising in this sign
/// convention: a forward lean is caught by driving forward.
/// </remarks>
internal sealed class BalanceController
{
    private double _tilt;
    private bool _initialised;
    private bool _anchor;
    private double _travelOrigin;

    /// <summary>Gets the filtered tilt (rad).</summary>
    public double EstimatedTilt => _tilt;

    /// <summary>Computes the base acceleration for one balance tick.</summary>
    /// <param name="o">The tick's balance gains (from its tuning snapshot).</param>
    /// <param name="input">The latest base state from the motor loop.</param>
    /// <param name="dt">Seconds since the previous balance tick.</param>
    /// <returns>The base acceleration (m/s²), clamped to acceleration_max.</returns>
    public double Compute(BalanceOptions o, in BalanceInput input, double dt)
    {
        if (_anchor && _initialised)
        {
            // A controlled stop: hold the base where the stop began, so the position feedback brakes it to rest.
            _travelOrigin = input.TravelM;
            _anchor = false;
        }

        if (!_initialised)
        {
            _tilt = input.TiltRad;
            _travelOrigin = input.TravelM;
            _initialised = true;
        }
        else
        {
            // Complementary filter: integrate the gyro, correct slowly toward the absolute tilt.
            double predicted = _tilt + (input.TiltRateRadPerSec * dt);
            double tau = o.TiltFilterTimeConstant.TotalSeconds;
            double alpha = tau / (tau + dt);
            _tilt = input.ImuValid ? (alpha * predicted) + ((1.0 - alpha) * input.TiltRad) : predicted;
        }

        double travel = input.TravelM - _travelOrigin;
        double a = (o.PositionGain * travel) + (o.VelocityGain * input.VelocityMps)
            + (o.TiltGain * _tilt) + (o.TiltRateGain * input.TiltRateRadPerSec);
        double max = o.AccelerationMax;
        return double.IsFinite(a) ? Math.Clamp(a, -max, max) : 0.0;
    }

    /// <summary>Makes the next tick start over from the measured state (after torque was removed).</summary>
    public void Reset() => _initialised = false;

    /// <summary>Makes the next tick take the base's current travel as its position reference (a controlled stop begins).</summary>
    public void AnchorHere() => _anchor = true;
}
