namespace EdgeAgent.Control;

/// <summary>What the motor loop tells the balance loop each motor tick: the base state it just read.</summary>
/// <param name="StampNs">Monotonic time of the measurement (ns).</param>
/// <param name="TiltRad">IMU tilt (rad), positive leaning forward.</param>
/// <param name="TiltRateRadPerSec">IMU tilt rate (rad/s).</param>
/// <param name="ImuValid">Whether the IMU reading is valid.</param>
/// <param name="TravelM">Distance the wheels have rolled since start (m): r·(qL + qR)/2.</param>
/// <param name="VelocityMps">Forward velocity from the wheels (m/s): r·(q̇L + q̇R)/2.</param>
internal readonly record struct BalanceInput(
    long StampNs, double TiltRad, double TiltRateRadPerSec, bool ImuValid, double TravelM, double VelocityMps);

/// <summary>
/// What the balance loop hands the motor loop: a base motion reference that the motor loop turns into
/// velocity setpoints and acceleration feed-forward for the drive wheels, interpolated every motor tick.
/// </summary>
/// <param name="StampNs">Monotonic time at which the reference starts (ns).</param>
/// <param name="VelocityMps">Base velocity at <paramref name="StampNs"/> (m/s).</param>
/// <param name="AccelerationMps2">Base acceleration to hold until the next command (m/s²).</param>
/// <param name="EstimatedTiltRad">The filtered tilt the command was computed from (rad), for telemetry.</param>
internal readonly record struct BalanceCommand(long StampNs, double VelocityMps, double AccelerationMps2, double EstimatedTiltRad);
