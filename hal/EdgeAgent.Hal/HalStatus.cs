namespace EdgeAgent.Hal;

/// <summary>
/// Result of a HAL call on the hot path. HAL drivers return status values from <see cref="IRobotHal.Read"/>
/// and <see cref="IRobotHal.Write"/>; exceptions are reserved for configuration and start-up
/// (the ros2_control <c>return_type</c> convention).
/// </summary>
public enum HalStatus
{
    /// <summary>The call succeeded; for <see cref="IRobotHal.Read"/>, the state holds a fresh measurement.</summary>
    Ok = 0,

    /// <summary>The hardware has produced no new measurement since the last read; the state was left as it was.</summary>
    NoNewData = 1,

    /// <summary>The hardware reported a fault, or the data it sent was rejected.</summary>
    Fault = 2,

    /// <summary>The driver is not (or no longer) connected to the hardware.</summary>
    NotConnected = 3,
}
