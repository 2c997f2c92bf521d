using EdgeAgent.Configuration;
using EdgeAgent.Control.Safety;
using EdgeAgent.Hal;

namespace EdgeAgent.Tests.Control.Safety;

public sealed class SafetySupervisorTests
{
    private const int Knee = 3;

    public static IEnumerable<TestCaseData> Causes() =>
        Enum.GetValues<SafetyCause>().Where(c => c != SafetyCause.None).Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));

    [TestCaseSource(nameof(Causes))]
    public void Check_Cause_TripsSafeStopAndSafeOutputWithinTwoTicks(SafetyCause cause)
    {
        // Stale data trips once stale_ticks have passed without a fresh measurement; every other cause at once.
        int allowedTicks = cause == SafetyCause.Stale ? ControlRig.ShippedOptions.Safety.StaleTicks + 2 : 2;
        FaultInjectingHal? fault = null;
        var rig = new ControlRig(wrapHal: hal => fault = new FaultInjectingHal(hal));
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));
        Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok), "healthy before the fault");

        Inject(cause, rig, fault!);
        int ticks = 0;
        while (!rig.Parts.Motor.Commands.SafeOutput && ticks < allowedTicks + 5)
        {
            rig.Runner.Step();
            ticks++;
        }

        Assert.Multiple(() =>
        {
            Assert.That(ticks, Is.LessThanOrEqualTo(allowedTicks), "motor ticks until the safe output");
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.SafeStop));
            Assert.That(rig.Parts.Safety.Cause, Is.EqualTo(cause));
            Assert.That(rig.Parts.Safety.Trips(cause), Is.EqualTo(1));
            StopCategory category = rig.Parts.Tuning.Current.Safety.CategoryOf(cause);
            Assert.That(rig.Parts.Safety.Category, Is.EqualTo(category));
            if (category == StopCategory.Category0)
            {
                Assert.That(rig.Parts.Safety.Phase, Is.EqualTo(StopPhase.TorqueOff));
                Assert.That(rig.Parts.Motor.Commands.Effort, Is.All.EqualTo(0.0), "category 0: zero torque on the tripping tick");
            }
            else
            {
                Assert.That(rig.Parts.Safety.Phase, Is.EqualTo(StopPhase.Stopping));
                Assert.That(rig.Parts.Motor.Commands.Effort.Any(e => e != 0.0), Is.True, "a controlled stop keeps torque on");
            }
        });
    }

    [Test]
    public void SafeStop_ConditionClears_LatchHoldsUntilReset()
    {
        var rig = new ControlRig();
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));
        rig.Robot.SetBatteryLevel(0.01);
        rig.Runner.Step();
        rig.Robot.SetBatteryLevel(0.9);

        rig.Runner.Run(TimeSpan.FromSeconds(1));
        SafetyState latched = rig.Parts.Safety.State;
        rig.Parts.Safety.RequestReset();
        rig.Runner.Step();

        Assert.Multiple(() =>
        {
            Assert.That(latched, Is.EqualTo(SafetyState.SafeStop), "still stopped 1 s after the cause cleared");
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok), "reset clears it");
            Assert.That(rig.Parts.Motor.Commands.SafeOutput, Is.False);
        });
    }

    [Test]
    public void Reset_ConditionPersists_TripsAgainAtOnce()
    {
        var rig = new ControlRig();
        rig.Runner.Run(TimeSpan.FromSeconds(0.2));
        rig.Robot.Teleport(50.0, 0.0);
        rig.Runner.Step();

        rig.Parts.Safety.RequestReset();
        rig.Runner.Step();

        Assert.Multiple(() =>
        {
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.SafeStop));
            Assert.That(rig.Parts.Safety.Trips(SafetyCause.Geofence), Is.EqualTo(2));
        });
    }

    [Test]
    public void SafeStop_Category2WithoutBalance_HoldsThePoseAtTheTrip()
    {
        var rig = new ControlRig(o =>
        {
            o.Safety.StopActions.Requested = StopCategory.Category2;
            o.Balance.Enabled = false;
        });
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));
        double before = rig.Robot.TrueJointPosition(Knee);

        rig.Parts.Safety.RequestStop();
        rig.Runner.Run(TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(rig.Parts.Motor.Commands.SafeOutput, Is.True);
            Assert.That(rig.Parts.Safety.Phase, Is.EqualTo(StopPhase.Holding));
            Assert.That(rig.Robot.TrueJointPosition(Knee), Is.EqualTo(before).Within(0.02));
        });
    }

    [Test]
    public void Battery_BelowLow_LowBatteryStateWithoutStopping()
    {
        var rig = new ControlRig();
        rig.Runner.Run(TimeSpan.FromSeconds(0.2));

        rig.Robot.SetBatteryLevel(0.10);
        rig.Runner.Run(TimeSpan.FromSeconds(0.1));
        SafetyState low = rig.Parts.Safety.State;
        rig.Robot.SetBatteryLevel(0.5);
        rig.Runner.Run(TimeSpan.FromSeconds(0.1));

        Assert.Multiple(() =>
        {
            Assert.That(low, Is.EqualTo(SafetyState.LowBattery));
            Assert.That(rig.Parts.Motor.Commands.SafeOutput, Is.False);
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok), "charged again");
        });
    }

    private static void Inject(SafetyCause cause, ControlRig rig, FaultInjectingHal fault)
    {
        switch (cause)
        {
            case SafetyCause.JointPosition: fault.Corrupt = s => s.Position[Knee] = 1.0; break;
            case SafetyCause.JointVelocity: fault.Corrupt = s => s.Velocity[Knee] = 100.0; break;
            case SafetyCause.JointEffort: rig.Robot.ApplyLoad(Knee, 80.0, TimeSpan.FromSeconds(5)); break;
            case SafetyCause.Stale: rig.Robot.DropSensors(TimeSpan.FromSeconds(5)); break;
            case SafetyCause.Tilt: fault.Corrupt = s => s.Imu = s.Imu with { TiltRad = ControlRig.Deg(40) }; break;
            case SafetyCause.Overruns: rig.Runner.Stall(TimeSpan.FromMilliseconds(100)); break;
            case SafetyCause.BatteryCritical: rig.Robot.SetBatteryLevel(0.01); break;
            case SafetyCause.Geofence: rig.Robot.Teleport(50.0, 0.0); break;
            case SafetyCause.HalFault: fault.ForcedStatus = HalStatus.Fault; break;
            case SafetyCause.InvalidState: fault.Corrupt = s => s.Velocity[0] = double.NaN; break;
            case SafetyCause.Requested: rig.Parts.Safety.RequestStop(); break;
            default: throw new ArgumentOutOfRangeException(nameof(cause), cause, "no injection for this cause");
        }
    }
}
