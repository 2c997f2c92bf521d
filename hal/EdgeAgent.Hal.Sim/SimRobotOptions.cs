namespace EdgeAgent.Hal.Sim;

/// <summary>
/// Options of the <see cref="SimulatedRobot"/>: a two-wheeled, wheel-legged robot whose base is an inverted
/// pendulum on the wheel axle. Units are SI. Call <see cref="Validate"/> (or <see cref="SimulatedRobot.Start"/>,
/// which does) to check them.
/// </summary>
public sealed class SimRobotOptions
{
    /// <summary>Gets the joint names of the default robot: per side hip_yaw, hip_roll, hip_pitch, knee, ankle, wheel.</summary>
    public static IReadOnlyList<string> DefaultJointNames => SimRobotDefaults.JointNames;

    /// <summary>Gets or sets the joint names, in the order of every state and command array. Required; see <see cref="DefaultJointNames"/>.</summary>
    public required IReadOnlyList<string> JointNames { get; set; }

    /// <summary>Gets or sets the index of the left drive wheel, or -1 for a robot without wheels (no base motion, fixed tilt). The default value is 5.</summary>
    public int LeftWheelIndex { get; set; } = SimRobotDefaults.LeftWheelIndex;

    /// <summary>Gets or sets the index of the right drive wheel, or -1 for a robot without wheels. The default value is 11.</summary>
    public int RightWheelIndex { get; set; } = SimRobotDefaults.RightWheelIndex;

    /// <summary>Gets or sets the wheel radius (m). The default value is 0.1.</summary>
    public double WheelRadius { get; set; } = SimRobotDefaults.WheelRadius;

    /// <summary>Gets or sets the distance between the wheel contact points (m). The default value is 0.4.</summary>
    public double TrackWidth { get; set; } = SimRobotDefaults.TrackWidth;

    /// <summary>Gets or sets the inertia of every joint as seen at its output (kg·m²). The default value is 0.02.</summary>
    public double JointInertia { get; set; } = SimRobotDefaults.JointInertia;

    /// <summary>Gets or sets the viscous damping of every joint (N·m·s/rad). The default value is 0.05.</summary>
    public double JointDamping { get; set; } = SimRobotDefaults.JointDamping;

    /// <summary>Gets or sets the Coulomb friction of every joint (N·m); a resting joint sticks below it. The default value is 0.2.</summary>
    public double JointFriction { get; set; } = SimRobotDefaults.JointFriction;

    /// <summary>Gets or sets the torque limit of every motor (N·m); commands are clamped to ±this. The default value is 60.</summary>
    public double MotorTorqueMax { get; set; } = SimRobotDefaults.MotorTorqueMax;

    /// <summary>Gets or sets the mass of the base (kg). The default value is 12.</summary>
    public double BaseMass { get; set; } = SimRobotDefaults.BaseMass;

    /// <summary>Gets or sets the height of the base's centre of mass above the wheel axle (m). The default value is 0.45.</summary>
    public double PendulumLength { get; set; } = SimRobotDefaults.PendulumLength;

    /// <summary>Gets or sets the initial tilt of the base (rad), positive leaning forward; within ±π/2. The default value is 0.</summary>
    public double InitialTiltRad { get; set; } = SimRobotDefaults.InitialTiltRad;

    /// <summary>Gets or sets the initial joint positions (rad), one per joint, or null for all zero. The default value is null.</summary>
    public double[]? InitialJointPositions { get; set; }

    /// <summary>
    /// Gets or sets the rest pose, one position per joint (rad): with <see cref="RestStand"/>, once every
    /// non-wheel joint is within 0.1 rad of it the chassis sits on its
    /// stand. Null: the robot has no rest pose.
    /// </summary>
    public double[]? RestPose { get; set; }

    /// <summary>Gets or sets a value indicating whether the base has a rest stand it sits on in the rest pose. The default value is <see langword="false"/>.</summary>
    public bool RestStand { get; set; }

    /// <summary>Gets or sets the seed of the sensor noise generator; the same seed gives the same noise. The default value is 42.</summary>
    public int Seed { get; set; } = SimRobotDefaults.Seed;

    /// <summary>Gets or sets the standard deviation of the joint position noise (rad). The default value is 0.0002.</summary>
    public double PositionNoise { get; set; } = SimRobotDefaults.PositionNoise;

    /// <summary>Gets or sets the standard deviation of the joint velocity noise (rad/s). The default value is 0.002.</summary>
    public double VelocityNoise { get; set; } = SimRobotDefaults.VelocityNoise;

    /// <summary>Gets or sets the standard deviation of the IMU tilt (rad) and tilt rate (rad/s) noise. The default value is 0.001.</summary>
    public double ImuNoise { get; set; } = SimRobotDefaults.ImuNoise;

    /// <summary>Gets or sets the battery capacity (Wh). The default value is 240.</summary>
    public double BatteryCapacityWh { get; set; } = SimRobotDefaults.BatteryCapacityWh;

    /// <summary>Gets or sets the initial state of charge, 0 to 1. The default value is 1.</summary>
    public double BatteryInitialLevel { get; set; } = SimRobotDefaults.BatteryInitialLevel;

    /// <summary>Gets or sets the electrical power drawn when no joint works (W). The default value is 25.</summary>
    public double IdlePowerW { get; set; } = SimRobotDefaults.IdlePowerW;

    /// <summary>Gets or sets the physics integration step; at most 10 ms. The default value is 250 µs.</summary>
    public TimeSpan Substep { get; set; } = SimRobotDefaults.Substep;

    /// <summary>Gets or sets the gravitational acceleration (m/s²). The default value is 9.81.</summary>
    public double Gravity { get; set; } = SimRobotDefaults.Gravity;

    /// <summary>Checks the options and throws on the first invalid one.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and says what to fix.</exception>
    public void Validate()
    {
        ValidateJoints();
        ValidateWheels();

        RequirePositive(JointInertia, nameof(JointInertia), "the joint inertia in kg·m², e.g. 0.02");
        RequireNonNegative(JointDamping, nameof(JointDamping), "the viscous damping in N·m·s/rad, or 0 for none");
        RequireNonNegative(JointFriction, nameof(JointFriction), "the Coulomb friction in N·m, or 0 for none");
        RequirePositive(MotorTorqueMax, nameof(MotorTorqueMax), "the motor torque limit in N·m, e.g. 60");
        RequirePositive(BaseMass, nameof(BaseMass), "the base mass in kg, e.g. 12");
        RequirePositive(PendulumLength, nameof(PendulumLength), "the centre-of-mass height above the axle in m, e.g. 0.45");
        RequireNonNegative(PositionNoise, nameof(PositionNoise), "a standard deviation in rad, or 0 for no noise");
        RequireNonNegative(VelocityNoise, nameof(VelocityNoise), "a standard deviation in rad/s, or 0 for no noise");
        RequireNonNegative(ImuNoise, nameof(ImuNoise), "a standard deviation in rad, or 0 for no noise");
        RequirePositive(BatteryCapacityWh, nameof(BatteryCapacityWh), "the battery capacity in Wh, e.g. 240");
        RequireNonNegative(IdlePowerW, nameof(IdlePowerW), "the idle power in W, e.g. 25");
        RequireNonNegative(Gravity, nameof(Gravity), "the gravitational acceleration in m/s², e.g. 9.81");

        if (!double.IsFinite(InitialTiltRad) || Math.Abs(InitialTiltRad) >= Math.PI / 2)
        {
            throw Invalid(nameof(InitialTiltRad), $"must be finite and strictly within ±π/2 rad (was {InitialTiltRad}); a larger tilt is a robot that has already fallen.");
        }

        if (!(BatteryInitialLevel is >= 0.0 and <= 1.0))
        {
            throw Invalid(nameof(BatteryInitialLevel), $"must be between 0 (empty) and 1 (full) (was {BatteryInitialLevel}).");
        }

        if (Substep <= TimeSpan.Zero || Substep > TimeSpan.FromMilliseconds(10))
        {
            throw Invalid(nameof(Substep), $"must be positive and at most 10 ms (was {Substep}); 250 µs keeps the physics stable.");
        }
    }

    private void ValidateJoints()
    {
        if (JointNames is null || JointNames.Count == 0)
        {
            throw Invalid(nameof(JointNames), "must list at least one joint; use SimRobotOptions.DefaultJointNames for the default robot.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < JointNames.Count; i++)
        {
            var name = JointNames[i];
            if (string.IsNullOrWhiteSpace(name))
            {
                throw Invalid(nameof(JointNames), $"has an empty name at index {i}; give every joint a name.");
            }

            if (!seen.Add(name))
            {
                throw Invalid(nameof(JointNames), $"has the duplicate name '{name}' (index {i}); joint names must be unique.");
            }
        }

        if (RestPose is not null && (RestPose.Length != JointNames.Count || Array.Exists(RestPose, p => !double.IsFinite(p))))
        {
            throw Invalid(nameof(RestPose), $"must have one finite position per joint ({JointNames.Count}), or be null.");
        }

        if (InitialJointPositions is not null)
        {
            if (InitialJointPositions.Length != JointNames.Count)
            {
                throw Invalid(nameof(InitialJointPositions), $"has {InitialJointPositions.Length} values but there are {JointNames.Count} joints; give one per joint, or null for all zero.");
            }

            for (var i = 0; i < InitialJointPositions.Length; i++)
            {
                if (!double.IsFinite(InitialJointPositions[i]))
                {
                    throw Invalid(nameof(InitialJointPositions), $"has a non-finite value at index {i}.");
                }
            }
        }
    }

    private void ValidateWheels()
    {
        var count = JointNames.Count;
        if (LeftWheelIndex == -1 && RightWheelIndex == -1)
        {
            return;
        }

        if (LeftWheelIndex < 0 || LeftWheelIndex >= count)
        {
            throw Invalid(nameof(LeftWheelIndex), $"is {LeftWheelIndex} but must be a joint index in [0, {count - 1}], or -1 together with RightWheelIndex for a robot without wheels.");
        }

        if (RightWheelIndex < 0 || RightWheelIndex >= count)
        {
            throw Invalid(nameof(RightWheelIndex), $"is {RightWheelIndex} but must be a joint index in [0, {count - 1}], or -1 together with LeftWheelIndex for a robot without wheels.");
        }

        if (LeftWheelIndex == RightWheelIndex)
        {
            throw Invalid(nameof(RightWheelIndex), $"must differ from LeftWheelIndex (both are {LeftWheelIndex}).");
        }

        RequirePositive(WheelRadius, nameof(WheelRadius), "the wheel radius in m, e.g. 0.1");
        RequirePositive(TrackWidth, nameof(TrackWidth), "the distance between the wheels in m, e.g. 0.4");
    }

    private static void RequirePositive(double value, string name, string hint)
    {
        if (!double.IsFinite(value) || value <= 0.0)
        {
            throw Invalid(name, $"must be positive and finite (was {value}); set it to {hint}.");
        }
    }

    private static void RequireNonNegative(double value, string name, string hint)
    {
        if (!double.IsFinite(value) || value < 0.0)
        {
            throw Invalid(name, $"must be zero or positive and finite (was {value}); set it to {hint}.");
        }
    }

    private static ArgumentException Invalid(string name, string problem) =>
        new($"SimRobotOptions.{name} {problem}", name);
}
