using System.Globalization;
using EdgeAgent.Hal.Ros2.Dds;

namespace EdgeAgent.Hal.Ros2;

/// <summary>How the ROS 2 HAL commands the joints.</summary>
public enum Ros2HalCommandMode
{
    /// <summary>std_msgs/Float64MultiArray of efforts in the configured joint order (forward_command_controller).</summary>
    ForwardCommand,

    /// <summary>trajectory_msgs/JointTrajectory with one point (positions, velocities, efforts; time_from_start 0).</summary>
    JointTrajectory,
}

/// <summary>The default values of <see cref="Ros2HalOptions"/>, in one place (the agent's <c>hal.ros2</c> defaults too).</summary>
public static class Ros2HalDefaults
{
    /// <summary>The joint state topic.</summary>
    public const string JointStatesTopic = "/joint_states";

    /// <summary>The IMU topic.</summary>
    public const string ImuTopic = "/imu/data";

    /// <summary>The battery topic.</summary>
    public const string BatteryTopic = "/battery_state";

    /// <summary>The command topic (forward_command_controller's).</summary>
    public const string CommandTopic = "/forward_command_controller/commands";

    /// <summary>The QoS of the state readers.</summary>
    public const string StateQos = "sensor_data";

    /// <summary>The QoS of the command writer.</summary>
    public const string CommandQos = "default";

    /// <summary>How old a header stamp may be.</summary>
    public static readonly TimeSpan MaxMessageAge = TimeSpan.FromMilliseconds(500);

    /// <summary>How far ahead a header stamp may be.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMilliseconds(100);
}

/// <summary>Options of <see cref="Ros2RobotHal"/> (mapped from <c>hal.ros2</c> and the joint table).</summary>
public sealed class Ros2HalOptions
{
    /// <summary>Gets the joint names, in the configured order every state and command array uses.</summary>
    public required IReadOnlyList<string> JointNames { get; init; }

    /// <summary>Gets the DDS domain (-1: the ROS_DOMAIN_ID environment variable, else 0). The default value is -1.</summary>
    public int DomainId { get; init; } = -1;

    /// <summary>Gets the joint state topic (sensor_msgs/JointState). The default value is /joint_states.</summary>
    public string JointStatesTopic { get; init; } = Ros2HalDefaults.JointStatesTopic;

    /// <summary>Gets the IMU topic (sensor_msgs/Imu). The default value is /imu/data.</summary>
    public string ImuTopic { get; init; } = Ros2HalDefaults.ImuTopic;

    /// <summary>Gets the battery topic (sensor_msgs/BatteryState). The default value is /battery_state.</summary>
    public string BatteryTopic { get; init; } = Ros2HalDefaults.BatteryTopic;

    /// <summary>Gets the command topic. The default value is /forward_command_controller/commands.</summary>
    public string CommandTopic { get; init; } = Ros2HalDefaults.CommandTopic;

    /// <summary>Gets the command message. The default value is <see cref="Ros2HalCommandMode.ForwardCommand"/>.</summary>
    public Ros2HalCommandMode CommandMode { get; init; } = Ros2HalCommandMode.ForwardCommand;

    /// <summary>Gets the QoS of the state readers: sensor_data, default, system_default, reliable:N, best_effort:N. The default value is sensor_data.</summary>
    public string StateQos { get; init; } = Ros2HalDefaults.StateQos;

    /// <summary>Gets the QoS of the command writer (same syntax as <see cref="StateQos"/>). The default value is default.</summary>
    public string CommandQos { get; init; } = Ros2HalDefaults.CommandQos;

    /// <summary>Gets how old a header stamp may be against the wall clock. The default value is 500 ms.</summary>
    public TimeSpan MaxMessageAge { get; init; } = Ros2HalDefaults.MaxMessageAge;

    /// <summary>Gets how far ahead of the wall clock a header stamp may be. The default value is 100 ms.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = Ros2HalDefaults.MaxFutureSkew;

    /// <summary>Gets the wall clock (ns since the Unix epoch) stamps are checked against. The default value is the system clock.</summary>
    public Func<long> WallClockNs { get; init; } = SystemWallClockNs;

    /// <summary>Gets how long the receive thread sleeps when no reader had data. The default value is 0.2 ms.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromTicks(2_000);

    /// <summary>Gets the SCHED_FIFO priority of the receive path (the HAL's receive thread and Cyclone's receive threads); 0 = the normal scheduler.</summary>
    public int ReceivePriority { get; init; }

    /// <summary>The system wall clock in ns since the Unix epoch.</summary>
    public static long SystemWallClockNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>Resolves <see cref="DomainId"/> (see <see cref="ResolveDomainId(int, string?)"/>).</summary>
    /// <param name="rosDomainIdVariable">The value of ROS_DOMAIN_ID, or null.</param>
    /// <returns>The domain id to join.</returns>
    public uint ResolveDomainId(string? rosDomainIdVariable) => ResolveDomainId(DomainId, rosDomainIdVariable);

    /// <summary>
    /// The one rule for the DDS domain, for the agent, its diagnostics and the simulated robot: a configured id
    /// (0..232) wins; -1 takes ROS_DOMAIN_ID; neither gives 0. A value outside 0..232 is an error, never a silent 0
    /// (which would put the process on another robot's domain).
    /// </summary>
    /// <param name="configured">hal.ros2.domain_id (-1: from the environment).</param>
    /// <param name="rosDomainIdVariable">The value of ROS_DOMAIN_ID, or null.</param>
    /// <returns>The domain id to join.</returns>
    /// <exception cref="ArgumentException">The configured id or ROS_DOMAIN_ID is not a domain id; the message names which.</exception>
    public static uint ResolveDomainId(int configured, string? rosDomainIdVariable)
    {
        if (configured >= 0)
        {
            return configured <= 232 ? (uint)configured
                : throw new ArgumentException($"hal.ros2.domain_id {configured} is out of range (-1..232).");
        }

        if (string.IsNullOrWhiteSpace(rosDomainIdVariable))
        {
            return 0;
        }

        return uint.TryParse(rosDomainIdVariable.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id <= 232
            ? id
            : throw new ArgumentException($"ROS_DOMAIN_ID '{rosDomainIdVariable}' is not a domain id (0..232); set it to 0..232 or unset it, or set hal.ros2.domain_id.");
    }

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the key to fix.</summary>
    internal void Validate()
    {
        if (JointNames is null || JointNames.Count == 0)
        {
            throw new ArgumentException("robot.joints is empty: the ROS 2 HAL needs at least one joint name.");
        }

        if (JointNames.Count > Messages.JointStateMessage.DefaultCapacity)
        {
            throw new ArgumentException($"robot.joints has {JointNames.Count} joints; the ROS 2 HAL supports at most {Messages.JointStateMessage.DefaultCapacity}.");
        }

        if (JointNames.Any(string.IsNullOrWhiteSpace) || JointNames.Distinct(StringComparer.Ordinal).Count() != JointNames.Count)
        {
            throw new ArgumentException("robot.joints names must be non-empty and unique for the ROS 2 HAL.");
        }

        RequireTopic(JointStatesTopic, Key(nameof(JointStatesTopic)));
        RequireTopic(ImuTopic, Key(nameof(ImuTopic)));
        RequireTopic(BatteryTopic, Key(nameof(BatteryTopic)));
        RequireTopic(CommandTopic, Key(nameof(CommandTopic)));
        if (MaxMessageAge <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Key(nameof(MaxMessageAge))} must be positive.");
        }

        if (MaxFutureSkew < TimeSpan.Zero)
        {
            throw new ArgumentException($"{Key(nameof(MaxFutureSkew))} must not be negative.");
        }

        ArgumentNullException.ThrowIfNull(WallClockNs);
        _ = ParseQos(StateQos, Key(nameof(StateQos)));
        _ = ParseQos(CommandQos, Key(nameof(CommandQos)));
    }

    /// <summary>The agent's YAML key of one of these options (<c>hal.ros2.</c> and the property in snake_case), for error messages.</summary>
    /// <param name="property">The property, by <c>nameof</c>.</param>
    /// <returns>The key path.</returns>
    internal static string Key(string property) => "hal.ros2." + System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(property);

    /// <summary>Parses a QoS profile name; throws <see cref="ArgumentException"/> naming <paramref name="key"/>.</summary>
    internal static Ros2Qos ParseQos(string? value, string key)
    {
        var text = value?.Trim().ToLowerInvariant() ?? string.Empty;
        switch (text)
        {
            case "sensor_data":
                return Ros2Qos.SensorData;
            case "default":
                return Ros2Qos.Default;
            case "system_default":
                return Ros2Qos.SystemDefault;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var depth) && depth is >= 1 and <= 10_000)
        {
            switch (text[..colon])
            {
                case "reliable":
                    return Ros2Qos.Create(DdsReliability.Reliable, depth);
                case "best_effort":
                    return Ros2Qos.Create(DdsReliability.BestEffort, depth);
            }
        }

        throw new ArgumentException(
            $"{key} '{value}' is not a QoS profile: use sensor_data, default, system_default, reliable:N or best_effort:N (N = KEEP_LAST depth 1..10000).",
            key);
    }

    private static void RequireTopic(string topic, string key)
    {
        if (string.IsNullOrWhiteSpace(topic) || topic.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"{key} '{topic}' is not a ROS topic name.", key);
        }
    }
}
