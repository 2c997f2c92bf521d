namespace EdgeAgent.Tests.Control;

public sealed class ZeroAllocationTests
{
    [Test]
    public void MotorAndBalanceTicks_HundredThousandTicks_AllocateZeroBytes()
    {
        var rig = new ControlRig();
        rig.Runner.Run(TimeSpan.FromSeconds(2));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 100_000; k++)
        {
            rig.Runner.Step();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, "bytes allocated by 100,000 motor ticks (with 10,000 balance ticks and the simulated robot)");
    }
}
