namespace EdgeAgent.Tests.Hal.Sim;

public sealed class SimulatedRobotAllocationTests
{
    [Test]
    public void ReadWrite_SteadyState_AllocateNothing()
    {
        using var rig = new SimRig(SimRig.Wheeled(tiltRad: 0.05));
        rig.Commands.Effort[rig.Options.LeftWheelIndex] = 1.0;
        rig.Commands.Effort[2] = 3.0;
        for (var i = 0; i < 2_000; i++)
        {
            rig.Step();
            rig.Robot.Write(rig.Commands);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            rig.Step();
            rig.Robot.Write(rig.Commands);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero);
    }
}
