using EdgeAgent.Control.Safety;

namespace EdgeAgent.Tests.Control;

public sealed class BalanceTests
{
    [Test]
    public void Balance_FromFiveDegrees_UprightWithinTwoSecondsAndWithinOneDegreeForSixtySeconds()
    {
        var rig = new ControlRig(o => o.Hal.Sim.InitialTiltDeg = 5.0);

        rig.Runner.Run(TimeSpan.FromSeconds(2));
        double atTwoSeconds = Math.Abs(ControlRig.ToDeg(rig.Robot.TrueTiltRad));
        double worst = 0;
        rig.Runner.Run(TimeSpan.FromSeconds(60), _ => worst = Math.Max(worst, Math.Abs(rig.Robot.TrueTiltRad)));

        Assert.Multiple(() =>
        {
            Assert.That(atTwoSeconds, Is.LessThan(1.0), "tilt at 2 s, degrees");
            Assert.That(ControlRig.ToDeg(worst), Is.LessThan(1.0), "worst tilt over the next 60 s, degrees");
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok));
            Assert.That(Math.Abs(rig.Robot.TrueBase.X), Is.LessThan(0.5), "the base returns near where it started");
        });
    }

    [Test]
    public void Balance_PushDisturbance_Recovers()
    {
        var rig = new ControlRig();
        rig.Runner.Run(TimeSpan.FromSeconds(1));

        rig.Robot.Push(60.0, TimeSpan.FromMilliseconds(200));
        double peak = 0;
        rig.Runner.Run(TimeSpan.FromSeconds(1), _ => peak = Math.Max(peak, Math.Abs(rig.Robot.TrueTiltRad)));
        rig.Runner.Run(TimeSpan.FromSeconds(3));

        Assert.Multiple(() =>
        {
            Assert.That(ControlRig.ToDeg(peak), Is.GreaterThan(1.0), "the push must really tilt the base");
            Assert.That(rig.Robot.HasFallen, Is.False);
            Assert.That(Math.Abs(ControlRig.ToDeg(rig.Robot.TrueTiltRad)), Is.LessThan(1.0), "upright again 4 s after the push");
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok));
        });
    }

    [Test]
    public void Balance_Disabled_SameBaseFalls()
    {
        var rig = new ControlRig(o =>
        {
            o.Hal.Sim.InitialTiltDeg = 5.0;
            o.Balance.Enabled = false;
        });

        rig.Runner.Run(TimeSpan.FromSeconds(3));

        Assert.Multiple(() =>
        {
            Assert.That(Math.Abs(ControlRig.ToDeg(rig.Robot.TrueTiltRad)), Is.GreaterThan(rig.Options.Balance.TiltLimitDeg));
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.SafeStop));
            Assert.That(rig.Parts.Safety.Cause, Is.EqualTo(SafetyCause.Tilt));
        });
    }
}
