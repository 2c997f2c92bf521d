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

/// <summary>Where a latched stop is in its sequence.</summary>
public enum StopPhase
{
    /// <summary>No stop: the controllers drive the joints.</summary>
    None = 0,

    /// <summary>Controlled stop (category 1 or 2): the balance loop keeps the base upright and brings it to rest; the legs hold the pose they had at the trip.</summary>
    Stopping,

    /// <summary>Category 1, at rest: the legs move to the rest pose while the base keeps balancing; then torque is removed.</summary>
    Lowering,

    /// <summary>Category 2, at rest: torque is kept; the base keeps balancing and the legs hold.</summary>
    Holding,

    /// <summary>Torque removed from every joint (category 0, the end of category 1, or an escalation).</summary>
    TorqueOff,
}

/// <summary>Why a controlled stop escalated to category 0.</summary>
public enum StopEscalation
{
    /// <summary>No escalation.</summary>
    None = 0,

    /// <summary>A second, different fault tripped during the controlled stop (tilt past the limit among them).</summary>
    SecondFault,

    /// <summary>The base was not at rest within <c>safety.controlled_stop_time</c>.</summary>
    Timeout,

    /// <summary>The legs did not reach the rest pose within <c>safety.rest_time</c> and a grace period; torque was removed where they were.</summary>
    RestNotReached,
}
