namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>
/// The ROS 2 QoS profiles this binding uses (rmw_cyclonedds: writers never autodispose).
/// </summary>
/// <param name="Reliability">Reliable or best effort.</param>
/// <param name="Depth">KEEP_LAST depth.</param>
/// <param name="Durability">Volatile unless stated.</param>
internal sealed record Ros2Qos(DdsReliability Reliability, int Depth, DdsDurability Durability = DdsDurability.Volatile)
{
    /// <summary>Gets the ROS <c>sensor_data</c> profile: BEST_EFFORT, KEEP_LAST 5, VOLATILE.</summary>
    public static Ros2Qos SensorData { get; } = new(DdsReliability.BestEffort, 5);

    /// <summary>Gets the ROS default profile: RELIABLE, KEEP_LAST 10, VOLATILE.</summary>
    public static Ros2Qos Default { get; } = new(DdsReliability.Reliable, 10);

    /// <summary>Gets SystemDefaultsQoS as Cyclone resolves it: RELIABLE, KEEP_LAST 1, VOLATILE.</summary>
    public static Ros2Qos SystemDefault { get; } = new(DdsReliability.Reliable, 1);

    /// <summary>Gets how long a reliable writer may block on a full history. The default value is 100 ms (rmw's default).</summary>
    public TimeSpan MaxBlockingTime { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Creates an explicit profile.</summary>
    public static Ros2Qos Create(DdsReliability reliability, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        return new(reliability, depth);
    }

    /// <summary>Builds a native <c>dds_qos_t</c>; the caller deletes it with <c>dds_delete_qos</c>.</summary>
    public IntPtr ToNative(bool forWriter)
    {
        var qos = DdsNative.dds_create_qos();
        if (qos == IntPtr.Zero)
        {
            throw new DdsException("dds_create_qos returned NULL.");
        }

        DdsNative.dds_qset_reliability(qos, Reliability, MaxBlockingTime.Ticks * 100);
        DdsNative.dds_qset_history(qos, DdsHistory.KeepLast, Depth);
        DdsNative.dds_qset_durability(qos, Durability);
        if (forWriter)
        {
            DdsNative.dds_qset_writer_data_lifecycle(qos, autodispose: false);
        }

        return qos;
    }
}
