using EdgeAgent.Hal.Sim;

namespace EdgeAgent.Tests.Hal.Sim;

public sealed class SimulatedClockTests
{
    [Test]
    public void Advance_Duration_MovesNowByNanoseconds()
    {
        var clock = new SimulatedClock(500);

        clock.Advance(TimeSpan.FromMicroseconds(250));

        Assert.That(clock.NowNs, Is.EqualTo(250_500));
    }

    [Test]
    public void AdvanceTo_LaterTime_SetsNow()
    {
        var clock = new SimulatedClock();

        clock.AdvanceTo(42);

        Assert.That(clock.NowNs, Is.EqualTo(42));
    }

    [Test]
    public void AdvanceTo_EarlierTime_Throws()
    {
        var clock = new SimulatedClock(1_000);

        Assert.That(() => clock.AdvanceTo(999), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(clock.NowNs, Is.EqualTo(1_000));
    }

    [Test]
    public void Advance_NegativeDuration_Throws()
    {
        var clock = new SimulatedClock();

        Assert.That(() => clock.Advance(TimeSpan.FromTicks(-1)), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
