using EdgeAgent.Configuration;
using EdgeAgent.Control.Safety;
using EdgeAgent.Hal;
using EdgeAgent.Sampling;

namespace EdgeAgent.Control;

/// <summary>
/// The control stack for one robot, built from a validated configuration: controllers, safety, the mailboxes
/// between the loops, and the two loop bodies. The host runs the bodies on real-time threads; tests run them
/// on a simulated clock with <see cref="SimulatedTimeRunner"/>.
/// </summary>
internal sealed class ControlParts
{
    /// <summary>Initializes a new instance of the <see cref="ControlParts"/> class.</summary>
    /// <param name="options">The validated configuration.</param>
    /// <param name="hal">The hardware layer; its joint order must be the configured one.</param>
    /// <param name="reference">Where the joints should be; the configured home pose when null.</param>
    public ControlParts(AgentOptions options, IRobotHal hal, IJointReference? reference = null)
    {
        Options = options;
        Hal = hal;
        var names = options.Robot.Joints.Select(j => j.Name).ToArray();
        if (!hal.JointNames.SequenceEqual(names, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"The HAL's joints ({string.Join(", ", hal.JointNames)}) are not robot.joints ({string.Join(", ", names)}).",
                nameof(hal));
        }

        JointCount = names.Length;
        MotorRateHz = options.Motor.RateHz;
        BalanceRateHz = options.Balance.RateHz;
        BalanceEnabled = options.Balance.Enabled && options.Balance.DriveJoints.Count == 2;
        LeftWheel = BalanceEnabled || options.Balance.DriveJoints.Count == 2 ? Array.IndexOf(names, options.Balance.DriveJoints[0]) : -1;
        RightWheel = LeftWheel >= 0 ? Array.IndexOf(names, options.Balance.DriveJoints[1]) : -1;
        WheelRadius = options.Balance.WheelRadius;
        Tuning = new TuningCell(ControlTuning.From(options));
        Controller = new MotorController(JointCount);
        Balance = new BalanceController();
        Safety = new SafetySupervisor(options);
        Reference = reference ?? new PoseReference(options.Robot.Joints.Select(j => j.Home).ToArray());
        Ring = new SpscRing<TelemetrySample>(options.Sampling.RingCapacity);
        Sampler = new Sampler(Ring, (int)Math.Round(options.Motor.RateHz / options.Sampling.RateHz), JointCount);
        Motor = new MotorLoop(this);
        BalanceLoop = new BalanceLoop(this);
    }

    public AgentOptions Options { get; }

    public IRobotHal Hal { get; }

    public int JointCount { get; }

    public double MotorRateHz { get; }

    public double BalanceRateHz { get; }

    /// <summary>Gets a value indicating whether the balance loop runs.</summary>
    public bool BalanceEnabled { get; }

    /// <summary>Gets the index of the left drive wheel, or -1 when the robot has none.</summary>
    public int LeftWheel { get; }

    /// <summary>Gets the index of the right drive wheel, or -1 when the robot has none.</summary>
    public int RightWheel { get; }

    public double WheelRadius { get; }

    public MotorController Controller { get; }

    public BalanceController Balance { get; }

    public SafetySupervisor Safety { get; }

    /// <summary>Gets the live tuning: gains, limits and safety limits as one snapshot, swapped whole by a reload.</summary>
    public TuningCell Tuning { get; }

    public IJointReference Reference { get; }

    public Mailbox<BalanceInput> ToBalance { get; } = new();

    public Mailbox<BalanceCommand> FromBalance { get; } = new();

    /// <summary>Gets the ring between the motor loop's sampler and the uplink.</summary>
    public SpscRing<TelemetrySample> Ring { get; }

    /// <summary>Gets the sampler the motor loop feeds every tick.</summary>
    public Sampler Sampler { get; }

    public MotorLoop Motor { get; }

    public BalanceLoop BalanceLoop { get; }
}
