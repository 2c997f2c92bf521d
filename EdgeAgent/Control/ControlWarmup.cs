using EdgeAgent.Configuration;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Hosting;

namespace EdgeAgent.Control;

/// <summary>
/// Runs the control code on a throwaway simulated robot and clock before the real loops start: every
/// method of the hot path is compiled, every interface call site has resolved its target, the arrays have
/// been touched. Without it the first real ticks pay for all of that and overrun.
/// </summary>
internal static class ControlWarmup
{
    /// <summary>The number of motor ticks the warm-up runs (simulated time: a few milliseconds of real time).</summary>
    public const int Ticks = 2_000;

    /// <summary>Runs the warm-up.</summary>
    /// <param name="options">The validated configuration (its joint table, gains and limits).</param>
    public static void Run(AgentOptions options)
    {
        var clock = new SimulatedClock(1_000_000_000);
        using var robot = new SimulatedRobot(HalFactory.SimOptionsFrom(options), clock);
        var parts = new ControlParts(options, robot);
        robot.Start(CancellationToken.None);
        var runner = new SimulatedTimeRunner(parts, clock, clock.AdvanceTo);
        for (int k = 0; k < Ticks; k++)
        {
            runner.Step();
        }

        parts.Safety.RequestStop();
        for (int k = 0; k < 10; k++)
        {
            runner.Step();
        }
    }
}
