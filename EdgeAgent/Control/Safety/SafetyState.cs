namespace EdgeAgent.Control.Safety;

/// <summary>The safety supervisor's state.</summary>
public enum SafetyState
{
    /// <summary>Everything within limits; the controllers drive the joints.</summary>
    Ok = 0,

    /// <summary>The battery is below <c>safety.battery_low</c>: the robot still runs, the fleet should send it to charge.</summary>
    LowBattery = 1,

    /// <summary>Latched stop: the joints get the safe output until an explicit reset.</summary>
    SafeStop = 2,
}

/// <summary>Why the safety supervisor stopped the robot.</summary>
public enum SafetyCause
{
    /// <summary>No trip.</summary>
    None = 0,

    /// <summary>A joint is past its position limit by more than the tolerance.</summary>
    JointPosition,

    /// <summary>A joint moves faster than its velocity limit times the trip factor.</summary>
    JointVelocity,

    /// <summary>A joint's measured effort is past its effort limit times the trip factor.</summary>
    JointEffort,

    /// <summary>No fresh measurement from the HAL within <c>safety.stale_ticks</c> motor ticks.</summary>
    Stale,

    /// <summary>The base tilts past <c>balance.tilt_limit_deg</c>.</summary>
    Tilt,

    /// <summary><c>safety.overrun_limit</c> motor loop overruns within <c>safety.overrun_window</c>.</summary>
    Overruns,

    /// <summary>The battery is below <c>safety.battery_critical</c>.</summary>
    BatteryCritical,

    /// <summary>The base left the geofence (emergency stop).</summary>
    Geofence,

    /// <summary>The HAL reported a fault.</summary>
    HalFault,

    /// <summary>A measurement was not a finite number.</summary>
    InvalidState,

    /// <summary>The agent is shutting down (SIGTERM) or an operator asked for a stop.</summary>
    Requested,
}
