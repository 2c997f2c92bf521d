using EdgeAgent.Configuration;

namespace EdgeAgent.Control;

/// <summary>
/// The motor loop's gains and limits, in joint order, as flat arrays the tick reads without lookups.
/// Immutable once built: a re-tune builds a new instance and swaps the reference between ticks, so a tick
/// always sees one whole consistent set.
/// </summary>
internal sealed class MotorGains
{
    private MotorGains(int count)
    {
        Kp = new double[count];
        Ki = new double[count];
        Kd = new double[count];
        IntegralLimit = new double[count];
        FeedForwardVelocity = new double[count];
        FeedForwardAcceleration = new double[count];
        FeedForwardFriction = new double[count];
        EffortMax = new double[count];
        VelocityMax = new double[count];
        PositionMin = new double[count];
        PositionMax = new double[count];
    }

    public double[] Kp { get; }

    public double[] Ki { get; }

    public double[] Kd { get; }

    public double[] IntegralLimit { get; }

    public double[] FeedForwardVelocity { get; }

    public double[] FeedForwardAcceleration { get; }

    public double[] FeedForwardFriction { get; }

    public double[] EffortMax { get; }

    public double[] VelocityMax { get; }

    /// <summary>Gets the lower position limit; -∞ for continuous joints.</summary>
    public double[] PositionMin { get; }

    /// <summary>Gets the upper position limit; +∞ for continuous joints.</summary>
    public double[] PositionMax { get; }

    public int JointCount => Kp.Length;

    /// <summary>Builds the gains from validated options (every joint has exactly one gains entry).</summary>
    /// <param name="robot">The joint table.</param>
    /// <param name="motor">The motor options with one gains entry per joint.</param>
    /// <returns>The gains in joint order.</returns>
    public static MotorGains From(RobotOptions robot, MotorOptions motor)
    {
        var gains = new MotorGains(robot.Joints.Count);
        for (int i = 0; i < robot.Joints.Count; i++)
        {
            JointOptions joint = robot.Joints[i];
            JointGainsOptions g = motor.Gains.Find(x => string.Equals(x.Joint, joint.Name, StringComparison.Ordinal))
                ?? throw new ArgumentException($"motor.gains has no entry for joint '{joint.Name}'.", nameof(motor));
            gains.Kp[i] = g.Kp;
            gains.Ki[i] = g.Ki;
            gains.Kd[i] = g.Kd;
            gains.IntegralLimit[i] = g.IntegralLimit;
            gains.FeedForwardVelocity[i] = g.FeedForwardVelocity;
            gains.FeedForwardAcceleration[i] = g.FeedForwardAcceleration;
            gains.FeedForwardFriction[i] = g.FeedForwardFriction;
            gains.EffortMax[i] = joint.EffortMax;
            gains.VelocityMax[i] = joint.VelocityMax;
            gains.PositionMin[i] = joint.Continuous ? double.NegativeInfinity : joint.PositionMin;
            gains.PositionMax[i] = joint.Continuous ? double.PositiveInfinity : joint.PositionMax;
        }

        return gains;
    }
}
