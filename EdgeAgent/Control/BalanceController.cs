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
    private BalanceOptions _options;
    private double _tilt;
    private bool _initialised;
    private double _travelOrigin;

    /// <summary>Initializes a new instance of the <see cref="BalanceController"/> class.</summary>
    /// <param name="options">Validated balance options.</param>
    public BalanceController(BalanceOptions options)
    {
        _options = options;
    }

    /// <summary>Swaps in re-tuned gains; the next tick uses them. Safe to call from any thread.</summary>
    /// <param name="options">Validated balance options.</param>
    public void ApplyGains(BalanceOptions options) => Volatile.Write(ref _options, options);

    /// <summary>Gets the filtered tilt (rad).</summary>
    public double EstimatedTilt => _tilt;

    /// <summary>Computes the base acceleration for one balance tick.</summary>
    /// <param name="input">The latest base state from the motor loop.</param>
    /// <param name="dt">Seconds since the previous balance tick.</param>
    /// <returns>The base acceleration (m/s²), clamped to acceleration_max.</returns>
    public double Compute(in BalanceInput input, double dt)
    {
        BalanceOptions o = Volatile.Read(ref _options);
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

    /// <summary>Makes the next tick start over from the measured state (after a safe stop is reset).</summary>
    public void Reset() => _initialised = false;
}
