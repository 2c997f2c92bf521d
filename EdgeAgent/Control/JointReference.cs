namespace EdgeAgent.Control;

/// <summary>
/// Where the joints should be: evaluated by the motor loop every tick, before the balance loop's wheel
/// references are added. Implementations must not allocate, lock or throw.
/// </summary>
internal interface IJointReference
{
    /// <summary>Writes the position (rad), velocity (rad/s) and acceleration (rad/s²) references at <paramref name="nowNs"/>.</summary>
    /// <param name="nowNs">Monotonic time (ns).</param>
    /// <param name="position">One entry per joint.</param>
    /// <param name="velocity">One entry per joint.</param>
    /// <param name="acceleration">One entry per joint.</param>
    void Evaluate(long nowNs, Span<double> position, Span<double> velocity, Span<double> acceleration);
}

/// <summary>Holds every joint at a fixed pose (the configured home positions).</summary>
internal sealed class PoseReference : IJointReference
{
    private readonly double[] _pose;

    /// <summary>Initializes a new instance of the <see cref="PoseReference"/> class.</summary>
    /// <param name="pose">The positions to hold (rad); copied.</param>
    public PoseReference(ReadOnlySpan<double> pose) => _pose = pose.ToArray();

    /// <summary>Gets the held pose; a caller may change entries between ticks of a single thread.</summary>
    public Span<double> Pose => _pose;

    /// <inheritdoc/>
    public void Evaluate(long nowNs, Span<double> position, Span<double> velocity, Span<double> acceleration)
    {
        _pose.AsSpan().CopyTo(position);
        velocity.Clear();
        acceleration.Clear();
    }
}
