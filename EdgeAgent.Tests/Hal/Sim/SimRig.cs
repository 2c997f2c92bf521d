using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;

namespace EdgeAgent.Tests.Hal.Sim;

/// <summary>A started simulated robot on a simulated clock, with a preallocated state and commands.</summary>
internal sealed class SimRig : IDisposable
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    public SimRig(SimRobotOptions options)
    {
        Options = options;
        Clock = new SimulatedClock(1_000_000_000);
        Robot = new SimulatedRobot(options, Clock);
        State = new RobotState(Robot.JointNames.Count);
        Commands = new JointCommands(Robot.JointNames.Count);
        Robot.Start(CancellationToken.None);
    }

    public SimRobotOptions Options { get; }

    public SimulatedClock Clock { get; }

    public SimulatedRobot Robot { get; }

    public RobotState State { get; }

    public JointCommands Commands { get; }

    /// <summary>The default 12-joint wheel-legged robot, optionally without sensor noise.</summary>
    public static SimRobotOptions Wheeled(bool noise = true, double tiltRad = 0.0, int seed = 42) => new()
    {
        JointNames = SimRobotOptions.DefaultJointNames,
        InitialTiltRad = tiltRad,
        Seed = seed,
        PositionNoise = noise ? 0.0002 : 0.0,
        VelocityNoise = noise ? 0.002 : 0.0,
        ImuNoise = noise ? 0.001 : 0.0,
    };

    /// <summary>A single free leg joint on a fixed base, without sensor noise.</summary>
    public static SimRobotOptions SingleJoint() => new()
    {
        JointNames = ["joint"],
        LeftWheelIndex = -1,
        RightWheelIndex = -1,
        PositionNoise = 0.0,
        VelocityNoise = 0.0,
        ImuNoise = 0.0,
    };

    /// <summary>Writes the commands, then ticks the clock and reads, for <paramref name="duration"/>.</summary>
    public void Run(TimeSpan duration)
    {
        Robot.Write(Commands);
        var end = Clock.NowNs + (duration.Ticks * TimeSpan.NanosecondsPerTick);
        while (Clock.NowNs < end)
        {
            Clock.Advance(Tick);
            Robot.Read(State);
        }
    }

    public HalStatus Step()
    {
        Clock.Advance(Tick);
        return Robot.Read(State);
    }

    public void Dispose() => Robot.Dispose();
}
