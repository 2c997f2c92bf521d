using System.ComponentModel.DataAnnotations;
using EdgeAgent.Configuration;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Sim;

namespace EdgeAgent.Hal;

/// <summary>Which hardware layer drives the robot (<c>hal:</c>).</summary>
public sealed class HalOptions
{
    /// <summary>Gets or sets the driver. The default value is <see cref="HalDriver.Sim"/>.</summary>
    public HalDriver Driver { get; set; } = HalDriver.Sim;

    /// <summary>Gets or sets the simulated robot's physical parameters (<c>hal.sim</c>).</summary>
    public SimOptions Sim { get; set; } = new();

    /// <summary>Gets or sets the ROS 2 driver's topics and QoS (<c>hal.ros2</c>).</summary>
    public Ros2Options Ros2 { get; set; } = new();
}

/// <summary>The HAL drivers.</summary>
public enum HalDriver
{
    /// <summary>The physics-simulated robot.</summary>
    Sim,

    /// <summary>ROS 2 joint-state and command topics over DDS.</summary>
    Ros2,
}

/// <summary>The ROS 2 driver (<c>hal.ros2</c>): ROS 2 topics over Cyclone DDS.</summary>
public sealed class Ros2Options
{
    /// <summary>Gets or sets the DDS domain (-1: the ROS_DOMAIN_ID environment variable, else 0). The default value is -1.</summary>
    [Range(-1, 232)]
    public int DomainId { get; set; } = -1;

    /// <summary>Gets or sets the joint state topic (sensor_msgs/JointState). The default value is /joint_states.</summary>
    [Required]
    public string JointStatesTopic { get; set; } = Ros2HalDefaults.JointStatesTopic;

    /// <summary>Gets or sets the IMU topic (sensor_msgs/Imu; pitch from the orientation, pitch rate from angular_velocity.y). The default value is /imu/data.</summary>
    [Required]
    public string ImuTopic { get; set; } = Ros2HalDefaults.ImuTopic;

    /// <summary>Gets or sets the battery topic (sensor_msgs/BatteryState). The default value is /battery_state.</summary>
    [Required]
    public string BatteryTopic { get; set; } = Ros2HalDefaults.BatteryTopic;

    /// <summary>Gets or sets the command topic. The default value is /forward_command_controller/commands.</summary>
    [Required]
    public string CommandTopic { get; set; } = Ros2HalDefaults.CommandTopic;

    /// <summary>Gets or sets the command message (the driver's own enum: one set of names). The default value is <see cref="Ros2HalCommandMode.ForwardCommand"/>.</summary>
    public Ros2HalCommandMode CommandMode { get; set; } = Ros2HalCommandMode.ForwardCommand;

    /// <summary>Gets or sets the QoS of the state subscriptions: sensor_data, default, system_default, or reliable:N / best_effort:N (KEEP_LAST N). The default value is sensor_data.</summary>
    [Required]
    public string StateQos { get; set; } = Ros2HalDefaults.StateQos;

    /// <summary>Gets or sets the QoS of the command publisher (controllers subscribe RELIABLE). The default value is default.</summary>
    [Required]
    public string CommandQos { get; set; } = Ros2HalDefaults.CommandQos;

    /// <summary>Gets or sets how old a state message's header stamp may be (against this machine's wall clock) before it is rejected as from the past. The default value is 500 ms.</summary>
    public TimeSpan MaxMessageAge { get; set; } = Ros2HalDefaults.MaxMessageAge;

    /// <summary>Gets or sets how far in the future a header stamp may be (clock skew) before it is rejected. The default value is 100 ms.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = Ros2HalDefaults.MaxFutureSkew;

    /// <summary>Gets or sets the topic the agent publishes its <c>diagnostic_msgs/DiagnosticArray</c> on (loops, safety, HAL, uplink); empty turns it off. The default value is /diagnostics.</summary>
    public string DiagnosticsTopic { get; set; } = "/diagnostics";

    /// <summary>Gets or sets how often the diagnostics are published (100ms..1min). The default value is 1 s (diagnostic_updater's rate).</summary>
    [DurationRange("00:00:00.100", "00:01:00")]
    public TimeSpan DiagnosticsPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Physical parameters of the simulated robot (<c>hal.sim</c>).</summary>
public sealed class SimOptions
{
    /// <summary>Gets or sets the seed of the sensor noise. The default value is 42.</summary>
    public int Seed { get; set; } = SimRobotDefaults.Seed;

    /// <summary>Gets or sets each joint's inertia about its axis (kg·m²). The default value is 0.02.</summary>
    [Range(1e-6, 100.0)]
    public double JointInertia { get; set; } = SimRobotDefaults.JointInertia;

    /// <summary>Gets or sets each joint's viscous damping (N·m·s/rad). The default value is 0.05.</summary>
    [Range(0.0, 100.0)]
    public double JointDamping { get; set; } = SimRobotDefaults.JointDamping;

    /// <summary>Gets or sets each joint's Coulomb friction (N·m). The default value is 0.2.</summary>
    [Range(0.0, 100.0)]
    public double JointFriction { get; set; } = SimRobotDefaults.JointFriction;

    /// <summary>Gets or sets the torque the simulated motors can produce at most (N·m). The default value is 60.</summary>
    [Range(0.01, 10000.0)]
    public double MotorTorqueMax { get; set; } = SimRobotDefaults.MotorTorqueMax;

    /// <summary>Gets or sets the standard deviation of the position sensor noise (rad). The default value is 0.0002.</summary>
    [Range(0.0, 1.0)]
    public double PositionNoise { get; set; } = SimRobotDefaults.PositionNoise;

    /// <summary>Gets or sets the standard deviation of the velocity sensor noise (rad/s). The default value is 0.002.</summary>
    [Range(0.0, 10.0)]
    public double VelocityNoise { get; set; } = SimRobotDefaults.VelocityNoise;

    /// <summary>Gets or sets the standard deviation of the IMU tilt and rate noise (rad, rad/s). The default value is 0.001.</summary>
    [Range(0.0, 1.0)]
    public double ImuNoise { get; set; } = SimRobotDefaults.ImuNoise;

    /// <summary>Gets or sets the mass of the base (kg). The default value is 12.</summary>
    [Range(0.1, 10000.0)]
    public double BaseMass { get; set; } = SimRobotDefaults.BaseMass;

    /// <summary>Gets or sets the height of the base's centre of mass above the wheel axle (m). The default value is 0.45.</summary>
    [Range(0.01, 10.0)]
    public double PendulumLength { get; set; } = SimRobotDefaults.PendulumLength;

    /// <summary>Gets or sets the distance between the drive wheels (m). The default value is 0.4.</summary>
    [Range(0.01, 10.0)]
    public double TrackWidth { get; set; } = SimRobotDefaults.TrackWidth;

    /// <summary>Gets or sets the base's tilt at start (degrees). The default value is 0.</summary>
    [Range(-89.0, 89.0)]
    public double InitialTiltDeg { get; set; }

    /// <summary>Gets or sets the battery capacity (Wh). The default value is 240.</summary>
    [Range(0.01, 100000.0)]
    public double BatteryCapacityWh { get; set; } = SimRobotDefaults.BatteryCapacityWh;

    /// <summary>Gets or sets the battery's state of charge at start (0..1). The default value is 1.</summary>
    [Range(0.0, 1.0)]
    public double BatteryInitialLevel { get; set; } = SimRobotDefaults.BatteryInitialLevel;

    /// <summary>Gets or sets the power drawn at rest by the electronics (W). The default value is 25.</summary>
    [Range(0.0, 100000.0)]
    public double IdlePowerW { get; set; } = SimRobotDefaults.IdlePowerW;

    /// <summary>
    /// Gets or sets a value indicating whether the simulated base has a rest stand: once every leg joint is
    /// within 0.1 rad of its rest pose (<c>robot.joints[].rest</c>) the chassis sits on it and no longer
    /// tips over. Without one, a base without torque falls. The default value is <see langword="true"/>.
    /// </summary>
    public bool RestStand { get; set; } = true;
}
