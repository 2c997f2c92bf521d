using System.Runtime;
using EdgeAgent.Configuration;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Hal;
using EdgeAgent.Sampling;

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

        // The same control code, with a small ring: the warm-up's samples are thrown away.
        var small = new AgentOptions();
        AgentOptions.CopySections(options, small);
        small.Sampling = new SamplingOptions { RateHz = options.Sampling.RateHz, RingCapacity = 64 };
        var parts = new ControlParts(small, robot);
        robot.Start(CancellationToken.None);
        var runner = new SimulatedTimeRunner(parts, clock, clock.AdvanceTo);
        for (int k = 0; k < Ticks; k++)
        {
            runner.Step();
        }

        // A whole controlled stop too (stopping, lowering, torque off), so a real stop's first ticks are warm.
        parts.Safety.RequestStop();
        for (int k = 0; k < 20_000 && parts.Safety.Phase != Safety.StopPhase.TorqueOff; k++)
        {
            runner.Step();
        }

        // Collect the start-up garbage (configuration, warm-up, hosting) now, while no loop runs, rather than
        // in a pause of the running loops; compacting gives the memory back.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
