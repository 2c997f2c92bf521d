namespace EdgeAgent.Hal;

/// <summary>
/// The commands the motor loop writes every tick, preallocated and reused. <see cref="Effort"/> is what the
/// joints execute; <see cref="Position"/> and <see cref="Velocity"/> are the references the controller
/// tracked, for drivers whose hardware takes position or velocity commands.
/// </summary>
public sealed class JointCommands
{
    /// <summary>Initializes a new instance of the <see cref="JointCommands"/> class.</summary>
    /// <param name="jointCount">The number of joints, in the configured joint order.</param>
    public JointCommands(int jointCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(jointCount);
        Effort = new double[jointCount];
        Position = new double[jointCount];
        Velocity = new double[jointCount];
    }

    /// <summary>Gets the number of joints.</summary>
    public int JointCount => Effort.Length;

    /// <summary>Gets the commanded joint efforts (N·m), already clamped to the configured limits.</summary>
    public double[] Effort { get; }

    /// <summary>Gets the position references (rad) the controller tracked this tick.</summary>
    public double[] Position { get; }

    /// <summary>Gets the velocity references (rad/s) the controller tracked this tick.</summary>
    public double[] Velocity { get; }

    /// <summary>Gets or sets a value indicating whether the safety supervisor has overridden these commands.</summary>
    public bool SafeOutput { get; set; }
}
