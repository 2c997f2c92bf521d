using System.ComponentModel.DataAnnotations;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Control;
using EdgeAgent.Hal;
using EdgeAgent.Sampling;
using EdgeAgent.Spill;
using EdgeAgent.Uplink;

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

    /// <summary>Gets or sets what the fleet may command this robot to do.</summary>
    public EdgeAgent.Commands.CommandOptions Commands { get; set; } = new();

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
