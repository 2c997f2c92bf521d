namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>ROS 2 to DDS name mangling as rmw_cyclonedds_cpp and rmw_fastrtps_cpp do it.</summary>
internal static class Ros2Names
{
    /// <summary>Topic <c>/joint_states</c> (or <c>joint_states</c>) → DDS topic <c>rt/joint_states</c>.</summary>
    public static string ToDdsTopic(string rosTopic)
    {
        ArgumentException.ThrowIfNullOrEmpty(rosTopic);
        return rosTopic[0] == '/' ? "rt" + rosTopic : "rt/" + rosTopic;
    }

    /// <summary>Type <c>sensor_msgs/msg/JointState</c> → DDS type <c>sensor_msgs::msg::dds_::JointState_</c>.</summary>
    public static string ToDdsType(string rosType)
    {
        ArgumentException.ThrowIfNullOrEmpty(rosType);
        var parts = rosType.Split('/');
        if (parts.Length != 3 || Array.Exists(parts, string.IsNullOrEmpty))
        {
            throw new ArgumentException($"ROS type '{rosType}' must have the form 'package/msg/Type', e.g. 'sensor_msgs/msg/JointState'.", nameof(rosType));
        }

        return $"{parts[0]}::{parts[1]}::dds_::{parts[2]}_";
    }
}
