using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Configuration;

/// <summary>
/// The whole agent configuration: the root of <c>agent.yaml</c>. YAML keys are the snake_case form of the
/// property names (<c>rate_hz</c> binds <see cref="MotorOptions.RateHz"/>).
/// </summary>
public sealed class AgentOptions
{
    /// <summary>Gets or sets the robot identity and joint table.</summary>
    public RobotOptions Robot { get; set; } = new();

    /// <summary>Gets or sets the hardware layer selection and its settings.</summary>
    public HalOptions Hal { get; set; } = new();

    /// <summary>Gets or sets the 1 kHz motor loop settings.</summary>
    public MotorOptions Motor { get; set; } = new();

    /// <summary>Gets or sets the 100 Hz balance loop settings.</summary>
    public BalanceOptions Balance { get; set; } = new();

    /// <summary>Gets or sets the real-time settings of the loop threads.</summary>
    public TimingOptions Timing { get; set; } = new();

    /// <summary>Gets or sets the safety supervisor settings.</summary>
    public SafetyOptions Safety { get; set; } = new();

    /// <summary>Gets or sets the telemetry sampling settings.</summary>
    public SamplingOptions Sampling { get; set; } = new();

    /// <summary>Gets or sets the telemetry uplink settings.</summary>
    public UplinkOptions Uplink { get; set; } = new();

    /// <summary>Gets or sets the local spill buffer settings.</summary>
    public SpillOptions Spill { get; set; } = new();

    /// <summary>Gets or sets the metrics and health endpoint settings.</summary>
    public EdgeAgent.Observability.ObservabilityOptions Observability { get; set; } = new();

    /// <summary>
    /// Copies every section of <paramref name="from"/> into <paramref name="to"/>. The sections are the
    /// bindable properties of this type, the same list the YAML binder walks, so a new section is never missed.
    /// </summary>
    /// <param name="from">The source.</param>
    /// <param name="to">The target.</param>
    public static void CopySections(AgentOptions from, AgentOptions to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        foreach (System.Reflection.PropertyInfo section in Internal.ConfigKeys.Properties(typeof(AgentOptions)))
        {
            section.SetValue(to, section.GetValue(from));
        }
    }
}

/// <summary>Robot identity and joint table (<c>robot:</c>).</summary>
public sealed class RobotOptions
{
    /// <summary>
    /// Gets or sets the robot id used in telemetry and logs; overridden by the <c>ROBOT_ID</c> environment
    /// variable. The default value is <c>robot-001</c>.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", ErrorMessage = "must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit")]
    public string Id { get; set; } = AgentDefaults.RobotId;

    /// <summary>Gets or sets the joints, in the order the HAL and every per-joint list use. Required.</summary>
    public List<JointOptions> Joints { get; set; } = [];
}

/// <summary>One joint: its name and its limits (<c>robot.joints[i]</c>).</summary>
public sealed class JointOptions
{
    /// <summary>Gets or sets the joint name, as the hardware (or ROS 2 joint_states) names it. Required.</summary>
    [Required]
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets a value indicating whether the joint turns without end (a wheel): no position limits apply. The default value is <see langword="false"/>.</summary>
    public bool Continuous { get; set; }

    /// <summary>Gets or sets the lower position limit (rad). The default value is -π.</summary>
    [LiveTunable]
    [Range(-1000.0, 1000.0)]
    public double PositionMin { get; set; } = -Math.PI;

    /// <summary>Gets or sets the upper position limit (rad). The default value is π.</summary>
    [LiveTunable]
    [Range(-1000.0, 1000.0)]
    public double PositionMax { get; set; } = Math.PI;

    /// <summary>Gets or sets the velocity limit (rad/s). The default value is 20.</summary>
    [LiveTunable]
    [Range(0.01, 1000.0)]
    public double VelocityMax { get; set; } = AgentDefaults.JointVelocityMax;

    /// <summary>Gets or sets the effort (torque) limit (N·m): commands are clamped to it, measurements past it trip safety. The default value is 40.</summary>
    [LiveTunable]
    [Range(0.01, 10000.0)]
    public double EffortMax { get; set; } = AgentDefaults.JointEffortMax;

    /// <summary>Gets or sets the position (rad) the motor loop holds the joint at. The default value is 0.</summary>
    [Range(-1000.0, 1000.0)]
    public double Home { get; set; }

    /// <summary>
    /// Gets or sets the position (rad) a category 1 stop lowers the joint to before torque is removed (the
    /// robot sits down). Not set (NaN): the home position. The default value is the home position.
    /// </summary>
    [LiveTunable]
    public double Rest { get; set; } = double.NaN;

    /// <summary>Gets the rest position: <see cref="Rest"/>, or <see cref="Home"/> when not set.</summary>
    internal double RestOrHome => double.IsNaN(Rest) ? Home : Rest;
}

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

/// <summary>How the ROS 2 driver commands the joints.</summary>
public enum Ros2CommandMode
{
    /// <summary>std_msgs/Float64MultiArray of efforts, one per joint in robot.joints order (forward_command_controller with an effort interface).</summary>
    ForwardCommand,

    /// <summary>trajectory_msgs/JointTrajectory with one point carrying positions, velocities and efforts.</summary>
    JointTrajectory,
}

/// <summary>The ROS 2 driver (<c>hal.ros2</c>): ROS 2 topics over Cyclone DDS.</summary>
public sealed class Ros2Options
{
    /// <summary>Gets or sets the DDS domain (-1: the ROS_DOMAIN_ID environment variable, else 0). The default value is -1.</summary>
    [Range(-1, 232)]
    public int DomainId { get; set; } = -1;

    /// <summary>Gets or sets the joint state topic (sensor_msgs/JointState). The default value is /joint_states.</summary>
    [Required]
    public string JointStatesTopic { get; set; } = "/joint_states";

    /// <summary>Gets or sets the IMU topic (sensor_msgs/Imu; pitch from the orientation, pitch rate from angular_velocity.y). The default value is /imu/data.</summary>
    [Required]
    public string ImuTopic { get; set; } = "/imu/data";

    /// <summary>Gets or sets the battery topic (sensor_msgs/BatteryState). The default value is /battery_state.</summary>
    [Required]
    public string BatteryTopic { get; set; } = "/battery_state";

    /// <summary>Gets or sets the command topic. The default value is /forward_command_controller/commands.</summary>
    [Required]
    public string CommandTopic { get; set; } = "/forward_command_controller/commands";

    /// <summary>Gets or sets the command message. The default value is <see cref="Ros2CommandMode.ForwardCommand"/>.</summary>
    public Ros2CommandMode CommandMode { get; set; } = Ros2CommandMode.ForwardCommand;

    /// <summary>Gets or sets the QoS of the state subscriptions: sensor_data, default, system_default, or reliable:N / best_effort:N (KEEP_LAST N). The default value is sensor_data.</summary>
    [Required]
    public string StateQos { get; set; } = "sensor_data";

    /// <summary>Gets or sets the QoS of the command publisher (controllers subscribe RELIABLE). The default value is default.</summary>
    [Required]
    public string CommandQos { get; set; } = "default";

    /// <summary>Gets or sets how old a state message's header stamp may be (against this machine's wall clock) before it is rejected as from the past. The default value is 500 ms.</summary>
    public TimeSpan MaxMessageAge { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets how far in the future a header stamp may be (clock skew) before it is rejected. The default value is 100 ms.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets the topic the agent publishes its <c>diagnostic_msgs/DiagnosticArray</c> on (loops, safety, HAL, uplink); empty turns it off. The default value is /diagnostics.</summary>
    public string DiagnosticsTopic { get; set; } = "/diagnostics";

    /// <summary>Gets or sets how often the diagnostics are published (100ms..1min). The default value is 1 s (diagnostic_updater's rate).</summary>
    public TimeSpan DiagnosticsPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>The HAL drivers.</summary>
public enum HalDriver
{
    /// <summary>The physics-simulated robot.</summary>
    Sim,

    /// <summary>ROS 2 joint-state and command topics over DDS.</summary>
    Ros2,
}

/// <summary>Physical parameters of the simulated robot (<c>hal.sim</c>).</summary>
public sealed class SimOptions
{
    /// <summary>Gets or sets the seed of the sensor noise. The default value is 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Gets or sets each joint's inertia about its axis (kg·m²). The default value is 0.02.</summary>
    [Range(1e-6, 100.0)]
    public double JointInertia { get; set; } = 0.02;

    /// <summary>Gets or sets each joint's viscous damping (N·m·s/rad). The default value is 0.05.</summary>
    [Range(0.0, 100.0)]
    public double JointDamping { get; set; } = 0.05;

    /// <summary>Gets or sets each joint's Coulomb friction (N·m). The default value is 0.2.</summary>
    [Range(0.0, 100.0)]
    public double JointFriction { get; set; } = 0.2;

    /// <summary>Gets or sets the torque the simulated motors can produce at most (N·m). The default value is 60.</summary>
    [Range(0.01, 10000.0)]
    public double MotorTorqueMax { get; set; } = 60.0;

    /// <summary>Gets or sets the standard deviation of the position sensor noise (rad). The default value is 0.0002.</summary>
    [Range(0.0, 1.0)]
    public double PositionNoise { get; set; } = 0.0002;

    /// <summary>Gets or sets the standard deviation of the velocity sensor noise (rad/s). The default value is 0.002.</summary>
    [Range(0.0, 10.0)]
    public double VelocityNoise { get; set; } = 0.002;

    /// <summary>Gets or sets the standard deviation of the IMU tilt and rate noise (rad, rad/s). The default value is 0.001.</summary>
    [Range(0.0, 1.0)]
    public double ImuNoise { get; set; } = 0.001;

    /// <summary>Gets or sets the mass of the base (kg). The default value is 12.</summary>
    [Range(0.1, 10000.0)]
    public double BaseMass { get; set; } = 12.0;

    /// <summary>Gets or sets the height of the base's centre of mass above the wheel axle (m). The default value is 0.45.</summary>
    [Range(0.01, 10.0)]
    public double PendulumLength { get; set; } = 0.45;

    /// <summary>Gets or sets the distance between the drive wheels (m). The default value is 0.4.</summary>
    [Range(0.01, 10.0)]
    public double TrackWidth { get; set; } = 0.4;

    /// <summary>Gets or sets the base's tilt at start (degrees). The default value is 0.</summary>
    [Range(-89.0, 89.0)]
    public double InitialTiltDeg { get; set; }

    /// <summary>Gets or sets the battery capacity (Wh). The default value is 240.</summary>
    [Range(0.01, 100000.0)]
    public double BatteryCapacityWh { get; set; } = 240.0;

    /// <summary>Gets or sets the battery's state of charge at start (0..1). The default value is 1.</summary>
    [Range(0.0, 1.0)]
    public double BatteryInitialLevel { get; set; } = 1.0;

    /// <summary>Gets or sets the power drawn at rest by the electronics (W). The default value is 25.</summary>
    [Range(0.0, 100000.0)]
    public double IdlePowerW { get; set; } = 25.0;

    /// <summary>
    /// Gets or sets a value indicating whether the simulated base has a rest stand: once every leg joint is
    /// within 0.1 rad of its rest pose (<c>robot.joints[].rest</c>) the chassis sits on it and no longer
    /// tips over. Without one, a base without torque falls. The default value is <see langword="true"/>.
    /// </summary>
    public bool RestStand { get; set; } = true;
}

/// <summary>The motor loop (<c>motor:</c>).</summary>
public sealed class MotorOptions
{
    /// <summary>Gets or sets the loop rate (Hz). The default value is 1000.</summary>
    [Range(10.0, 10000.0)]
    public double RateHz { get; set; } = AgentDefaults.MotorRateHz;

    /// <summary>Gets or sets the per-joint PID and feed-forward gains; one entry for every joint in <c>robot.joints</c>.</summary>
    public List<JointGainsOptions> Gains { get; set; } = [];
}

/// <summary>PID gains with anti-windup and feed-forward for one joint (<c>motor.gains[i]</c>).</summary>
public sealed class JointGainsOptions
{
    /// <summary>Gets or sets the joint these gains apply to (a name from <c>robot.joints</c>). Required.</summary>
    [Required]
    public string Joint { get; set; } = string.Empty;

    /// <summary>Gets or sets the proportional gain (N·m/rad). The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double Kp { get; set; }

    /// <summary>Gets or sets the integral gain (N·m/(rad·s)). The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double Ki { get; set; }

    /// <summary>Gets or sets the derivative gain on the velocity error (N·m·s/rad). The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double Kd { get; set; }

    /// <summary>Gets or sets the largest torque the integral term may contribute (N·m); the anti-windup clamp. The default value is 5.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double IntegralLimit { get; set; } = 5.0;

    /// <summary>Gets or sets the velocity feed-forward (N·m·s/rad): cancels viscous damping. The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double FeedForwardVelocity { get; set; }

    /// <summary>Gets or sets the acceleration feed-forward (kg·m²): the inertia seen by the joint. The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double FeedForwardAcceleration { get; set; }

    /// <summary>Gets or sets the friction feed-forward (N·m) applied in the direction of the velocity reference. The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double FeedForwardFriction { get; set; }
}

/// <summary>The balance loop (<c>balance:</c>).</summary>
public sealed class BalanceOptions
{
    /// <summary>Gets or sets a value indicating whether the balance loop runs. The default value is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the loop rate (Hz). The default value is 100.</summary>
    [Range(1.0, 2000.0)]
    public double RateHz { get; set; } = AgentDefaults.BalanceRateHz;

    /// <summary>Gets or sets the wheel joints that move the base (names from <c>robot.joints</c>). Required when enabled.</summary>
    public List<string> DriveJoints { get; set; } = [];

    /// <summary>Gets or sets the drive wheel radius (m). The default value is 0.1.</summary>
    [Range(0.001, 10.0)]
    public double WheelRadius { get; set; } = 0.1;

    /// <summary>Gets or sets the state-feedback gain on tilt ((m/s²)/rad). The default value is 90.2.</summary>
    [LiveTunable]
    [Range(0.0, 1e5)]
    public double TiltGain { get; set; } = 90.2;

    /// <summary>Gets or sets the state-feedback gain on tilt rate ((m/s²)/(rad/s)). The default value is 19.3.</summary>
    [LiveTunable]
    [Range(0.0, 1e5)]
    public double TiltRateGain { get; set; } = 19.3;

    /// <summary>Gets or sets the state-feedback gain on base position ((m/s²)/m). The default value is 28.7.</summary>
    [LiveTunable]
    [Range(0.0, 1e5)]
    public double PositionGain { get; set; } = 28.7;

    /// <summary>Gets or sets the state-feedback gain on base velocity ((m/s²)/(m/s)). The default value is 22.9.</summary>
    [LiveTunable]
    [Range(0.0, 1e5)]
    public double VelocityGain { get; set; } = 22.9;

    /// <summary>Gets or sets the time constant of the complementary tilt filter (gyro vs accelerometer tilt). The default value is 0.2 s.</summary>
    [LiveTunable]
    public TimeSpan TiltFilterTimeConstant { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the largest base acceleration the balance loop asks for (m/s²). The default value is 15.</summary>
    [LiveTunable]
    [Range(0.01, 1000.0)]
    public double AccelerationMax { get; set; } = 15.0;

    /// <summary>Gets or sets the tilt (degrees) past which the safety supervisor stops the robot. The default value is 25.</summary>
    [LiveTunable]
    [Range(0.1, 89.0)]
    public double TiltLimitDeg { get; set; } = 25.0;
}

/// <summary>Real-time settings of the loop threads (<c>timing:</c>).</summary>
public sealed class TimingOptions
{
    /// <summary>Gets or sets how long before each deadline the loop stops sleeping and spins. The default value is 100 µs.</summary>
    public TimeSpan SpinMargin { get; set; } = TimeSpan.FromMicroseconds(100);

    /// <summary>Gets or sets the SCHED_FIFO priority of the motor thread (1-99; 0 keeps the normal scheduler). The default value is 80.</summary>
    [Range(0, 99)]
    public int MotorPriority { get; set; } = 80;

    /// <summary>Gets or sets the SCHED_FIFO priority of the balance thread (1-99; 0 keeps the normal scheduler). The default value is 70.</summary>
    [Range(0, 99)]
    public int BalancePriority { get; set; } = 70;

    /// <summary>Gets or sets the CPU the motor thread is pinned to (-1: not pinned). The default value is -1.</summary>
    [Range(-1, 1023)]
    public int MotorCpu { get; set; } = -1;

    /// <summary>Gets or sets the CPU the balance thread is pinned to (-1: not pinned). The default value is -1.</summary>
    [Range(-1, 1023)]
    public int BalanceCpu { get; set; } = -1;

    /// <summary>Gets or sets a value indicating whether the process memory is locked (mlockall, on fault) so the loops never page-fault to disk. The default value is <see langword="true"/>.</summary>
    public bool LockMemory { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the CPUs are kept out of deep idle states while the loops run
    /// (a 0 µs PM QoS request on /dev/cpu_dma_latency, as cyclictest makes). Costs power, removes the
    /// idle-exit latency from wake-ups. The default value is <see langword="true"/>.
    /// </summary>
    public bool LimitCpuIdle { get; set; } = true;

    /// <summary>Gets or sets the timer slack of the loop threads. The default value is 1 µs.</summary>
    public TimeSpan TimerSlack { get; set; } = TimeSpan.FromMicroseconds(1);
}

/// <summary>
/// How the robot is stopped, in the vocabulary of IEC 60204-1 §9.2.2. The YAML spelling is
/// <c>category0</c>, <c>category1</c>, <c>category2</c>.
/// </summary>
public enum StopCategory
{
    /// <summary>Category 0: torque is removed from every joint at once (an uncontrolled stop). A balancing base falls.</summary>
    Category0,

    /// <summary>Category 1: a controlled stop (the balance loop keeps the base upright and brings it to rest, the legs hold), then the robot lowers to its rest pose and torque is removed.</summary>
    Category1,

    /// <summary>Category 2: a controlled stop, then torque is kept: the base keeps balancing and the legs hold.</summary>
    Category2,
}

/// <summary>
/// The stop category each safety cause triggers (<c>safety.stop_actions</c>). Causes where the measurements
/// cannot be trusted default to category 0; the others to a controlled stop (category 1).
/// </summary>
[LiveTunable]
public sealed class StopActionsOptions
{
    /// <summary>Gets or sets the stop for a joint past its position limits. The default value is <see cref="StopCategory.Category1"/>.</summary>
    public StopCategory JointPosition { get; set; } = StopCategory.Category1;

    /// <summary>Gets or sets the stop for a joint faster than its trip velocity. The default value is <see cref="StopCategory.Category1"/>.</summary>
    public StopCategory JointVelocity { get; set; } = StopCategory.Category1;

    /// <summary>Gets or sets the stop for a measured effort past its trip level. The default value is <see cref="StopCategory.Category1"/>.</summary>
    public StopCategory JointEffort { get; set; } = StopCategory.Category1;

    /// <summary>Gets or sets the stop for stale measurements (they cannot be trusted). The default value is <see cref="StopCategory.Category0"/>.</summary>
    public StopCategory Stale { get; set; } = StopCategory.Category0;

    /// <summary>Gets or sets the stop for a tilt past <c>balance.tilt_limit_deg</c> (the base is falling; no controller can catch it). The default value is <see cref="StopCategory.Category0"/>.</summary>
    public StopCategory Tilt { get; set; } = StopCategory.Category0;

    /// <summary>Gets or sets the stop for a control gap or too many missed periods. The default value is <see cref="StopCategory.Category1"/>.</summary>
    public StopCategory Overruns { get; set; } = StopCategory.Category1;

    /// <summary>Gets or sets the stop for a critical battery. The default value is <see cref="StopCategory.Category1"/>.</summary>
    public StopCategory BatteryCritical { get; set; } = StopCategory.Category1;

    /// <summary>Gets or sets the stop for leaving the geofence. The default value is <see cref="StopCategory.Category1"/>.</summary>
    public StopCategory Geofence { get; set; } = StopCategory.Category1;

    /// <summary>Gets or sets the stop for a HAL fault (measurements cannot be trusted). The default value is <see cref="StopCategory.Category0"/>.</summary>
    public StopCategory HalFault { get; set; } = StopCategory.Category0;

    /// <summary>Gets or sets the stop for a NaN/Inf measurement (measurements cannot be trusted). The default value is <see cref="StopCategory.Category0"/>.</summary>
    public StopCategory InvalidState { get; set; } = StopCategory.Category0;

    /// <summary>Gets or sets the stop for a requested stop (SIGTERM, an operator). The default value is <see cref="StopCategory.Category1"/>.</summary>
    public StopCategory Requested { get; set; } = StopCategory.Category1;
}

/// <summary>The safety supervisor (<c>safety:</c>).</summary>
public sealed class SafetyOptions
{
    /// <summary>Gets or sets the stop category of each cause (<c>safety.stop_actions</c>).</summary>
    [LiveTunable]
    public StopActionsOptions StopActions { get; set; } = new();

    /// <summary>
    /// Gets or sets how long a controlled stop (category 1 or 2) may take to bring the base to rest; past it
    /// the stop escalates to category 0. The default value is 3 s.
    /// </summary>
    [LiveTunable]
    public TimeSpan ControlledStopTime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Gets or sets how long a category 1 stop takes to move the legs from the hold pose to the rest pose
    /// (<c>robot.joints[].rest</c>) before torque is removed. The default value is 1.5 s.
    /// </summary>
    [LiveTunable]
    public TimeSpan RestTime { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// Gets or sets the share of each leg joint's <c>effort_max</c> the legs may use during a controlled stop
    /// (0.05..1). The default value is 0.5.
    /// </summary>
    [LiveTunable]
    [Range(0.05, 1.0)]
    public double StopEffortFraction { get; set; } = 0.5;

    /// <summary>Gets or sets how many motor ticks may pass without a fresh HAL measurement before the robot stops. The default value is 20.</summary>
    [LiveTunable]
    [Range(1, 100000)]
    public int StaleTicks { get; set; } = 20;

    /// <summary>
    /// Gets or sets the longest gap between two command writes of the motor loop (and between two balance
    /// commands) before the robot stops (cause <c>overruns</c>). The default value is 75 ms.
    /// </summary>
    [LiveTunable]
    public TimeSpan MaxControlGap { get; set; } = TimeSpan.FromMilliseconds(75);

    /// <summary>
    /// Gets or sets the share of motor periods (0..1) that may be missed within <see cref="MissedPeriodWindow"/>
    /// before the robot stops (cause <c>overruns</c>). The default value is 0.2.
    /// </summary>
    [LiveTunable]
    [Range(0.001, 1.0)]
    public double MissedPeriodLimit { get; set; } = 0.2;

    /// <summary>Gets or sets the window over which missed periods are counted. The default value is 1 s.</summary>
    public TimeSpan MissedPeriodWindow { get; set; } = TimeSpan.FromSeconds(1);

/// <summary>Gets or sets the position margin (rad) past a joint's limits that trips. The default value is 0.05.</summary>
    [LiveTunable]
    [Range(0.0, 10.0)]
    public double PositionTolerance { get; set; } = 0.05;

    /// <summary>Gets or sets the factor of a joint's velocity limit that trips. The default value is 1.2.</summary>
    [LiveTunable]
    [Range(1.0, 100.0)]
    public double VelocityTripFactor { get; set; } = 1.2;

    /// <summary>Gets or sets the factor of a joint's effort limit that a measured effort must pass to trip. The default value is 1.1.</summary>
    [LiveTunable]
    [Range(1.0, 100.0)]
    public double EffortTripFactor { get; set; } = 1.1;

    /// <summary>Gets or sets the battery level (0..1) below which the state is LOW_BATTERY. The default value is 0.15.</summary>
    [LiveTunable]
    [Range(0.0, 1.0)]
    public double BatteryLow { get; set; } = 0.15;

    /// <summary>Gets or sets the battery level (0..1) below which the robot stops. The default value is 0.03.</summary>
    [LiveTunable]
    [Range(0.0, 1.0)]
    public double BatteryCritical { get; set; } = 0.03;

    /// <summary>Gets or sets the geofence: a polygon in the odometry frame the base must stay inside. Empty: no geofence.</summary>
    [LiveTunable]
    public List<GeofencePointOptions> Geofence { get; set; } = [];
}

/// <summary>A vertex of the geofence polygon (m).</summary>
[LiveTunable]
public sealed class GeofencePointOptions
{
    /// <summary>Gets or sets the x coordinate (m).</summary>
    [Range(-1e6, 1e6)]
    public double X { get; set; }

    /// <summary>Gets or sets the y coordinate (m).</summary>
    [Range(-1e6, 1e6)]
    public double Y { get; set; }
}

/// <summary>Telemetry sampling in the motor loop (<c>sampling:</c>).</summary>
public sealed class SamplingOptions
{
    /// <summary>Gets or sets the sample rate (Hz); the motor rate must be an integer multiple of it. The default value is 100.</summary>
    [Range(1.0, 10000.0)]
    public double RateHz { get; set; } = 100.0;

    /// <summary>Gets or sets the ring capacity in samples (a power of two; ~600 bytes each); when full the oldest sample is dropped and counted. The default value is 4096 (41 s at 100 Hz, 4 s at 1 kHz).</summary>
    [Range(16, 1 << 24)]
    public int RingCapacity { get; set; } = 4096;
}

/// <summary>The telemetry uplink (<c>uplink:</c>).</summary>
public sealed class UplinkOptions
{
    /// <summary>
    /// Gets or sets the ingest endpoint (<c>https://host:port</c>); overridden by the <c>CLOUD_ENDPOINT</c>
    /// environment variable. Empty: no upstream (flight-recorder mode: batches go to the spill). The default value is empty.
    /// </summary>
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>Gets or sets the samples per batch. The default value is 100.</summary>
    [Range(1, EdgeAgent.Uplink.Wire.BatchLimits.MaxSamples)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Gets or sets the longest a partly filled batch waits before it is sent. The default value is 1 s.</summary>
    public TimeSpan BatchMaxAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the timeout of one send attempt. The default value is 5 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the retries of one batch before it goes to the spill (on transient errors). The default value is 4.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>Gets or sets the first retry delay; later ones grow exponentially with jitter. The default value is 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest retry delay (also caps a server-requested delay). The default value is 30 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the failure ratio over <see cref="BreakerSamplingDuration"/> that opens the circuit breaker. The default value is 0.5.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets the window over which the breaker measures failures. The default value is 10 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the fewest calls in the window before the breaker may open. The default value is 5.</summary>
    [Range(2, 100000)]
    public int BreakerMinimumThroughput { get; set; } = 5;

    /// <summary>Gets or sets how long the breaker stays open before it lets a trial call through. The default value is 5 s.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the bytes of batches held in memory waiting to be sent; past it the oldest go to the spill. The default value is 8 MiB.</summary>
    [Range(65536L, 1L << 34)]
    public long MemoryQueueBytes { get; set; } = 8L << 20;

    /// <summary>Gets or sets the most backlog (spilled) batches replayed per second while live batches flow. The default value is 200.</summary>
    [Range(1.0, 1e6)]
    public double ReplayRatePerSecond { get; set; } = 200.0;

    /// <summary>Gets or sets a value indicating whether batches are gzip-compressed on the wire. The default value is <see langword="false"/>.</summary>
    public bool Gzip { get; set; }

    /// <summary>Gets or sets a PEM file of the CA that signed the ingest server's certificate (https only). Empty: the system trust store. The default value is empty.</summary>
    public string CaFile { get; set; } = string.Empty;

    /// <summary>Gets or sets a file holding the bearer token sent with every batch (it must not be readable by others; it is never logged). Empty: no token. The default value is empty.</summary>
    public string TokenFile { get; set; } = string.Empty;
}

/// <summary>When the spill is written.</summary>
public enum SpillMode
{
    /// <summary>Only when the upstream is down, the memory queue is over budget, or at shutdown (flash-friendly).</summary>
    OnFailure,

    /// <summary>Every batch is durable before it is sent (write-ahead).</summary>
    Always,
}

/// <summary>The local spill buffer (<c>spill:</c>).</summary>
public sealed class SpillOptions
{
    /// <summary>Gets or sets when batches are written to disk. The default value is <see cref="SpillMode.OnFailure"/>.</summary>
    public SpillMode Mode { get; set; } = SpillMode.OnFailure;

    /// <summary>
    /// Gets or sets the spill directory (created if missing, mode 0700). Empty: automatic —
    /// <c>$STATE_DIRECTORY/spill</c> under systemd, else <c>/var/lib/edge-agent/spill</c> when writable, else
    /// <c>~/.local/state/edge-agent/spill</c>. The default value is empty (automatic).
    /// </summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Gets or sets the size at which a segment file is closed and a new one started (bytes). The default value is 16 MiB.</summary>
    [Range(65536L, 1L << 32)]
    public long SegmentBytes { get; set; } = 16L << 20;

    /// <summary>Gets or sets the most bytes the spill may hold; past it the oldest segment is dropped and counted. The default value is 1 GiB.</summary>
    [Range(131072L, 1L << 42)]
    public long QuotaBytes { get; set; } = 1L << 30;

    /// <summary>Gets or sets how long appended batches may wait before a group commit (write + fsync). The default value is 75 ms.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gets or sets how many appended bytes force a group commit. The default value is 1 MiB.</summary>
    [Range(4096L, 1L << 30)]
    public long CommitBytes { get; set; } = 1L << 20;

    /// <summary>Gets or sets a value indicating whether a commit fsyncs (off only for tests on tmpfs-like media). The default value is <see langword="true"/>.</summary>
    public bool Fsync { get; set; } = true;
}
