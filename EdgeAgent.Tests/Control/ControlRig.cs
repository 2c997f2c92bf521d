using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Hosting;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Control;

/// <summary>
/// The shipped configuration's control stack on the simulated robot and a simulated clock: what `run` builds,
/// minus the real-time threads.
/// </summary>
internal sealed class ControlRig
{
    private static readonly AgentOptions Shipped = AgentConfigLoader.Load(RepoPaths.DefaultConfig, new Dictionary<string, string>());

    public ControlRig(Action<AgentOptions>? configure = null, Func<IRobotHal, IRobotHal>? wrapHal = null, IJointReference? reference = null)
    {
        Options = Fresh();
        configure?.Invoke(Options);
        Clock = new SimulatedClock(1_000_000_000);
        Robot = new SimulatedRobot(HalFactory.SimOptionsFrom(Options), Clock);
        Hal = wrapHal?.Invoke(Robot) ?? Robot;
        Parts = new ControlParts(Options, Hal, reference);
        Hal.Start(CancellationToken.None);
        Runner = new SimulatedTimeRunner(Parts, Clock, Clock.AdvanceTo);
    }

    public AgentOptions Options { get; }

    public SimulatedClock Clock { get; }

    public SimulatedRobot Robot { get; }

    public IRobotHal Hal { get; }

    public ControlParts Parts { get; }

    public SimulatedTimeRunner Runner { get; }

    public int JointIndex(string name) => Options.Robot.Joints.FindIndex(j => j.Name == name);

    public static AgentOptions Fresh() => AgentConfigLoader.Load(RepoPaths.DefaultConfig, new Dictionary<string, string>());

    public static double Deg(double degrees) => degrees * Math.PI / 180.0;

    public static double ToDeg(double radians) => radians * 180.0 / Math.PI;

    internal static AgentOptions ShippedOptions => Shipped;
}
