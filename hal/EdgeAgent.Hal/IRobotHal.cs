namespace EdgeAgent.Hal;

/// <summary>
/// The hardware abstraction layer the control loops run against (the ros2_control <c>hardware_interface</c>
/// role). Only the motor loop thread calls <see cref="Read"/> and <see cref="Write"/>; implementations need
/// not be thread-safe for those two, and must not allocate, lock, log or throw in them.
/// </summary>
public interface IRobotHal : IDisposable
{
    /// <summary>Gets the joint names, in the order every array of <see cref="RobotState"/> and <see cref="JointCommands"/> uses.</summary>
    IReadOnlyList<string> JointNames { get; }

    /// <summary>
    /// Connects to the hardware. Called once, before the loops start, off the hot path; throws on a
    /// configuration or start-up error with a message that says what to fix.
    /// </summary>
    /// <param name="cancellationToken">Cancels a start that waits for the hardware.</param>
    void Start(CancellationToken cancellationToken);

    /// <summary>Fills <paramref name="state"/> with the latest measurement.</summary>
    /// <param name="state">Preallocated state with <see cref="JointNames"/>.Count joints.</param>
    /// <returns><see cref="HalStatus.Ok"/> for a fresh measurement, <see cref="HalStatus.NoNewData"/> when nothing changed.</returns>
    HalStatus Read(RobotState state);

    /// <summary>Sends <paramref name="commands"/> to the joints.</summary>
    /// <param name="commands">Preallocated commands with <see cref="JointNames"/>.Count joints.</param>
    /// <returns><see cref="HalStatus.Ok"/> when the commands were handed to the hardware.</returns>
    HalStatus Write(JointCommands commands);
}
