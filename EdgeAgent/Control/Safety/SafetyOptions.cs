using System.ComponentModel.DataAnnotations;
using EdgeAgent.Configuration;

namespace EdgeAgent.Control.Safety;

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
    [DurationRange("00:00:00.001", "00:00:10")]
    public TimeSpan MaxControlGap { get; set; } = TimeSpan.FromMilliseconds(75);

    /// <summary>
    /// Gets or sets the share of motor periods (0..1) that may be missed within <see cref="MissedPeriodWindow"/>
    /// before the robot stops (cause <c>overruns</c>). The default value is 0.2.
    /// </summary>
    [LiveTunable]
    [Range(0.001, 1.0)]
    public double MissedPeriodLimit { get; set; } = 0.2;

    /// <summary>Gets or sets the window over which missed periods are counted. The default value is 1 s.</summary>
    [DurationRange("00:00:00.010", "00:01:00")]
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
