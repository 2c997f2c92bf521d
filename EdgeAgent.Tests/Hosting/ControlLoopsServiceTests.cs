using EdgeAgent.Control;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Hosting;
using EdgeAgent.Tests.Control;
using EdgeAgent.Tests.Control.Safety;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Hosting;

public sealed class ControlLoopsServiceTests
{
    [Test]
    public void StartAsync_HalNeverDeliversAMeasurement_FailsWithTheFixAndStartsNoLoop()
    {
        var options = ControlRig.Fresh();
        var robot = new SimulatedRobot(HalFactory.SimOptionsFrom(options), new SimulatedClock());
        var silent = new FaultInjectingHal(robot) { ForcedStatus = HalStatus.NoNewData };
        var parts = new ControlParts(options, silent);
        using var service = new ControlLoopsService(parts, options, NullLogger<ControlLoopsService>.Instance, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance))
        {
            FirstMeasurementTimeout = TimeSpan.FromMilliseconds(200),
        };

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => service.StartAsync(CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("no measurement").And.Contain("Fix:"));
            Assert.That(service.Motor, Is.Null, "the loops were not started");
        });
    }
}
