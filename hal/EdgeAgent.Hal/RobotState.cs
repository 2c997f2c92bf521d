namespace EdgeAgent.Hal;

/// <summary>
/// One measurement of the whole robot, filled in place by <see cref="IRobotHal.Read"/>.
/// Preallocated once and reused every tick: the arrays are sized <see cref="JointCount"/> and never replaced.
/// Units are SI: rad, rad/s, N·m (revolute joints); m, m/s, N (prismatic joints).
/// </summary>
public sealed class RobotState
{
    /// <summary>Initializes a new instance of the <see cref="RobotState"/> class.</summary>
    /// <param name="jointCount">The number of joints, in the configured joint order.</param>
    public RobotState(int jointCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(jointCount);
        Position = new double[jointCount];
        Velocity = new double[jointCount];
        Effort = new double[jointCount];
    }

    /// <summary>Gets the number of joints.</summary>
    public int JointCount => Position.Length;

    /// <summary>Gets the measured joint positions (rad), in the configured joint order.</summary>
    public double[] Position { get; }

    /// <summary>Gets the measured joint velocities (rad/s).</summary>
    public double[] Velocity { get; }

    /// <summary>Gets the measured joint efforts (N·m), as the joint torque sensors report them.</summary>
    public double[] Effort { get; }

    /// <summary>Gets or sets the inertial measurement of the base.</summary>
    public ImuReading Imu { get; set; }

    /// <summary>Gets or sets the pose and velocity of the base in the odometry frame.</summary>
    public BaseReading Base { get; set; }

    /// <summary>Gets or sets the battery measurement.</summary>
    public BatteryReading Battery { get; set; }

    /// <summary>Gets or sets the monotonic time (ns) at which the hardware took this measurement.</summary>
    public long StampNs { get; set; }

    /// <summary>
    /// Gets or sets a counter that the driver increments for every fresh measurement. Two reads with the same
    /// sequence saw the same data; the safety supervisor uses this to detect stale hardware.
    /// </summary>
    public long Sequence { get; set; }

    /// <summary>Copies every field into <paramref name="target"/> without allocating.</summary>
    /// <param name="target">A state with the same joint count.</param>
    public void CopyTo(RobotState target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Position.AsSpan().CopyTo(target.Position);
        Velocity.AsSpan().CopyTo(target.Velocity);
        Effort.AsSpan().CopyTo(target.Effort);
        target.Imu = Imu;
        target.Base = Base;
        target.Battery = Battery;
        target.StampNs = StampNs;
        target.Sequence = Sequence;
    }
}

/// <summary>IMU reading of the base, reduced to what the balance loop uses.</summary>
/// <param name="TiltRad">Pitch of the base from vertical (rad); positive leans forward (+x of the base).</param>
/// <param name="TiltRateRadPerSec">Pitch rate from the gyro (rad/s).</param>
/// <param name="YawRateRadPerSec">Yaw rate from the gyro (rad/s).</param>
/// <param name="Valid">Whether the IMU produced this reading (false during a sensor dropout).</param>
public record struct ImuReading(double TiltRad, double TiltRateRadPerSec, double YawRateRadPerSec, bool Valid);

/// <summary>Planar pose and velocity of the base in the odometry frame.</summary>
/// <param name="X">Position x (m).</param>
/// <param name="Y">Position y (m).</param>
/// <param name="HeadingRad">Heading (yaw) (rad).</param>
/// <param name="ForwardVelocity">Velocity along the heading (m/s).</param>
public record struct BaseReading(double X, double Y, double HeadingRad, double ForwardVelocity);

/// <summary>Battery measurement.</summary>
/// <param name="Level">State of charge, 0 (empty) to 1 (full).</param>
/// <param name="VoltageV">Terminal voltage (V).</param>
/// <param name="CurrentA">Current drawn (A); positive when discharging.</param>
public record struct BatteryReading(double Level, double VoltageV, double CurrentA);
