namespace EdgeAgent.Hal.Sim;

/// <summary>The default values of <see cref="SimRobotOptions"/>, in one place (the agent's <c>hal.sim</c> defaults too).</summary>
public static class SimRobotDefaults
{
    public const int LeftWheelIndex = 5;
    public const int RightWheelIndex = 11;
    public const double WheelRadius = 0.1;
    public const double TrackWidth = 0.4;
    public const double JointInertia = 0.02;
    public const double JointDamping = 0.05;
    public const double JointFriction = 0.2;
    public const double MotorTorqueMax = 60.0;
    public const double BaseMass = 12.0;
    public const double PendulumLength = 0.45;
    public const double InitialTiltRad = 0.0;
    public const int Seed = 42;
    public const double PositionNoise = 0.0002;
    public const double VelocityNoise = 0.002;
    public const double ImuNoise = 0.001;
    public const double BatteryCapacityWh = 240.0;
    public const double BatteryInitialLevel = 1.0;
    public const double IdlePowerW = 25.0;
    public const double Gravity = 9.81;

    public static readonly TimeSpan Substep = TimeSpan.FromMicroseconds(250);

    public static readonly IReadOnlyList<string> JointNames =
    [
        "left_hip_yaw", "left_hip_roll", "left_hip_pitch", "left_knee", "left_ankle", "left_wheel",
        "right_hip_yaw", "right_hip_roll", "right_hip_pitch", "right_knee", "right_ankle", "right_wheel",
    ];
}
