using EdgeAgent.Configuration;

namespace EdgeAgent.Control.Safety;

/// <summary>
/// The safety supervisor's limits as flat values and arrays the motor tick reads without lookups. Part of a
/// <see cref="ControlTuning"/> snapshot: immutable once built.
/// </summary>
internal sealed class SafetyLimits
{
    private readonly StopCategory[] _categories;

    /// <summary>Initializes a new instance of the <see cref="SafetyLimits"/> class.</summary>
    /// <param name="options">The validated configuration.</param>
    public SafetyLimits(AgentOptions options)
    {
        SafetyOptions s = options.Safety;
        TiltLimitRad = options.Balance.TiltLimitDeg * Math.PI / 180.0;
        PositionTolerance = s.PositionTolerance;
        VelocityTripFactor = s.VelocityTripFactor;
        EffortTripFactor = s.EffortTripFactor;
        BatteryLow = s.BatteryLow;
        BatteryCritical = s.BatteryCritical;
        StaleTicks = s.StaleTicks;
        MaxControlGapNs = s.MaxControlGap.Ticks * TimeSpan.NanosecondsPerTick;
        MissedPeriodLimit = s.MissedPeriodLimit;
        ControlledStopTimeNs = s.ControlledStopTime.Ticks * TimeSpan.NanosecondsPerTick;
        RestTimeNs = s.RestTime.Ticks * TimeSpan.NanosecondsPerTick;
        StopEffortFraction = s.StopEffortFraction;
        FenceX = s.Geofence.Select(p => p.X).ToArray();
        FenceY = s.Geofence.Select(p => p.Y).ToArray();
        RestPose = options.Robot.Joints.Select(j => j.RestOrHome).ToArray();
        _categories = new StopCategory[Enum.GetValues<SafetyCause>().Length];
        StopActionsOptions a = s.StopActions;
        _categories[(int)SafetyCause.JointPosition] = a.JointPosition;
        _categories[(int)SafetyCause.JointVelocity] = a.JointVelocity;
        _categories[(int)SafetyCause.JointEffort] = a.JointEffort;
        _categories[(int)SafetyCause.Stale] = a.Stale;
        _categories[(int)SafetyCause.Tilt] = a.Tilt;
        _categories[(int)SafetyCause.Overruns] = a.Overruns;
        _categories[(int)SafetyCause.BatteryCritical] = a.BatteryCritical;
        _categories[(int)SafetyCause.Geofence] = a.Geofence;
        _categories[(int)SafetyCause.HalFault] = a.HalFault;
        _categories[(int)SafetyCause.InvalidState] = a.InvalidState;
        _categories[(int)SafetyCause.Requested] = a.Requested;
    }

    public double TiltLimitRad { get; }

    public double PositionTolerance { get; }

    public double VelocityTripFactor { get; }

    public double EffortTripFactor { get; }

    public double BatteryLow { get; }

    public double BatteryCritical { get; }

    public int StaleTicks { get; }

    /// <summary>Gets the longest allowed gap between two command writes (ns).</summary>
    public long MaxControlGapNs { get; }

    /// <summary>Gets the share of missed periods per window that trips (0..1).</summary>
    public double MissedPeriodLimit { get; }

    /// <summary>Gets how long a controlled stop may take to bring the robot to rest (ns).</summary>
    public long ControlledStopTimeNs { get; }

    /// <summary>Gets how long lowering to the rest pose takes (ns).</summary>
    public long RestTimeNs { get; }

    /// <summary>Gets the share of effort_max the legs may use in a controlled stop.</summary>
    public double StopEffortFraction { get; }

    public double[] FenceX { get; }

    public double[] FenceY { get; }

    /// <summary>Gets the rest pose in joint order (rad): where a category 1 stop lowers the legs.</summary>
    public double[] RestPose { get; }

    /// <summary>Gets the stop category a cause triggers.</summary>
    /// <param name="cause">The cause.</param>
    /// <returns>Its configured category.</returns>
    public StopCategory CategoryOf(SafetyCause cause) => _categories[(int)cause];
}
