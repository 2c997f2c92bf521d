namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>
/// Topic types of the ROS 2 messages the HAL exchanges, transcribed from <c>idlc -t</c> (Cyclone DDS 0.10.2) output for
/// EdgeAgent.Tests/Hal/Ros2/Dds/native/ros2_types.idl (@final structs: XCDR1, no keys, no type information, so
/// Cyclone matches on the type name as rmw_cyclonedds does). DdsLayoutTests regenerates them and compares.
/// Op words are <c>DDS_OP_*</c> codes with <c>offsetof</c>/<c>sizeof</c> of the C structs resolved (x86-64 and arm64 agree).
/// </summary>
internal static class Ros2TypeDescriptors
{
    /// <summary>Gets <c>sensor_msgs::msg::dds_::JointState_</c>.</summary>
    public static DdsTypeDefinition JointState { get; } = new(
        "sensor_msgs::msg::dds_::JointState_",
        Size: 112,
        Align: 8,
        FlagSet: 0,
        OpCount: 12,
        Ops:
        [
            0x010D0000, 0, 0x0003000C, 0x01070500, 16, 0x01070402, 40, 0x01070402, 64, 0x01070402, 88, 0,
            0x010D0000, 0, 0x00030006, 0x01050000, 8, 0, 0x01030004, 0, 0x01030000, 4, 0,
        ]);

    /// <summary>Gets <c>sensor_msgs::msg::dds_::Imu_</c>.</summary>
    public static DdsTypeDefinition Imu { get; } = new(
        "sensor_msgs::msg::dds_::Imu_",
        Size: 312,
        Align: 8,
        FlagSet: 0,
        OpCount: 23,
        Ops:
        [
            0x010D0000, 0, 0x00030016, 0x010D0000, 16, 0x0003001E, 0x01080402, 48, 9, 0x010D0000, 120, 0x00030021,
            0x01080402, 144, 9, 0x010D0000, 216, 0x0003001B, 0x01080402, 240, 9, 0, 0x010D0000, 0,
            0x00030006, 0x01050000, 8, 0, 0x01030004, 0, 0x01030000, 4, 0, 0x01040002, 0, 0x01040002,
            8, 0x01040002, 16, 0x01040002, 24, 0, 0x01040002, 0, 0x01040002, 8, 0x01040002, 16,
            0,
        ]);

    /// <summary>Gets <c>sensor_msgs::msg::dds_::BatteryState_</c>.</summary>
    public static DdsTypeDefinition BatteryState { get; } = new(
        "sensor_msgs::msg::dds_::BatteryState_",
        Size: 112,
        Align: 8,
        FlagSet: 0,
        OpCount: 23,
        Ops:
        [
            0x010D0000, 0, 0x00030022, 0x01030002, 16, 0x01030002, 20, 0x01030002, 24, 0x01030002, 28, 0x01030002,
            32, 0x01030002, 36, 0x01030002, 40, 0x01010000, 44, 0x01010000, 45, 0x01010000, 46, 0x010E0000,
            47, 0x01070302, 48, 0x01070302, 72, 0x01050000, 96, 0x01050000, 104, 0, 0x010D0000, 0,
            0x00030006, 0x01050000, 8, 0, 0x01030004, 0, 0x01030000, 4, 0,
        ]);

    /// <summary>Gets <c>std_msgs::msg::dds_::Float64MultiArray_</c>.</summary>
    public static DdsTypeDefinition Float64MultiArray { get; } = new(
        "std_msgs::msg::dds_::Float64MultiArray_",
        Size: 56,
        Align: 8,
        FlagSet: 0,
        OpCount: 10,
        Ops:
        [
            0x010D0000, 0, 0x00030006, 0x01070402, 32, 0, 0x01070A00, 0, 16, 0x00040007, 0x01030000, 24,
            0, 0x01050000, 0, 0x01030000, 8, 0x01030000, 12, 0,
        ]);

    /// <summary>Gets <c>trajectory_msgs::msg::dds_::JointTrajectory_</c>.</summary>
    public static DdsTypeDefinition JointTrajectory { get; } = new(
        "trajectory_msgs::msg::dds_::JointTrajectory_",
        Size: 64,
        Align: 8,
        FlagSet: 0,
        OpCount: 19,
        Ops:
        [
            0x010D0000, 0, 0x0003000A, 0x01070500, 16, 0x01070A00, 40, 104, 0x00040010, 0, 0x010D0000, 0,
            0x00030006, 0x01050000, 8, 0, 0x01030004, 0, 0x01030000, 4, 0, 0x01070402, 0, 0x01070402,
            24, 0x01070402, 48, 0x01070402, 72, 0x010D0000, 96, 0x00030004, 0, 0x01030004, 0, 0x01030000,
            4, 0,
        ]);

    /// <summary>Gets <c>diagnostic_msgs::msg::dds_::DiagnosticArray_</c>.</summary>
    public static DdsTypeDefinition DiagnosticArray { get; } = new(
        "diagnostic_msgs::msg::dds_::DiagnosticArray_",
        Size: 40,
        Align: 8,
        FlagSet: 0,
        OpCount: 18,
        Ops:
        [
            0x010D0000, 0, 0x00030008, 0x01070A00, 16, 56, 0x00040010, 0, 0x010D0000, 0, 0x00030006, 0x01050000,
            8, 0, 0x01030004, 0, 0x01030000, 4, 0, 0x01010000, 0, 0x01050000, 8, 0x01050000,
            16, 0x01050000, 24, 0x01070A00, 32, 16, 0x00040005, 0, 0x01050000, 0, 0x01050000, 8,
            0,
        ]);

    /// <summary>Gets every definition, by short name.</summary>
    public static IReadOnlyDictionary<string, DdsTypeDefinition> All { get; } = new Dictionary<string, DdsTypeDefinition>
    {
        ["JointState"] = JointState,
        ["Imu"] = Imu,
        ["BatteryState"] = BatteryState,
        ["Float64MultiArray"] = Float64MultiArray,
        ["JointTrajectory"] = JointTrajectory,
        ["DiagnosticArray"] = DiagnosticArray,
    };
}
