using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Hal;

namespace EdgeAgent.Tests.Control.Safety;

/// <summary>
/// Stop categories on the simulated robot and a simulated clock, each cause tripped mid-motion: the base is
/// rolling (pushed to about 1 m/s) and the knees are swinging when the stop latches.
/// </summary>
public sealed class ControlledStopTests
{
    private const int LeftKnee = 3;

    // The tilt bound. The balance loop stays in force during a controlled stop, so from the state at the trip
    // (tilt θ0, base speed v0) the base follows the linearised closed loop (four poles at −5 /s): its tilt
    // excursion is linear in the initial state. On the default base a 1 m/s stop adds 4.0° to |θ0| (2 m/s:
    // 8°); the bound allows 5° per m/s, and must stay under balance.tilt_limit_deg, past which the stop escalates.
    private const double DegreesPerMetrePerSecond = 5.0;

    public static IEnumerable<TestCaseData> ControlledCauses() =>
        new[]
        {
            SafetyCause.JointPosition, SafetyCause.JointVelocity, SafetyCause.JointEffort, SafetyCause.Overruns,
            SafetyCause.BatteryCritical, SafetyCause.Geofence, SafetyCause.Requested,
        }.Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));

    [TestCaseSource(nameof(ControlledCauses))]
    public void Category1_TrippedMidMotion_BaseStaysUprightComesToRestSitsDownTorqueOff(SafetyCause cause)
    {
        FaultInjectingHal? fault = null;
        var rig = new ControlRig(wrapHal: hal => fault = new FaultInjectingHal(hal), reference: new SwingingKnees(ControlRig.Fresh()));
        Assert.That(rig.Options.Safety.StopActions.Requested, Is.EqualTo(StopCategory.Category1), "the shipped default");
        (double tilt0, double v0) = MoveThenTrip(rig, fault!, cause);

        var watch = Watch(rig, TimeSpan.FromSeconds(8));

        SafetyLimits limits = rig.Parts.Tuning.Current.Safety;
        double bound = ControlRig.ToDeg(Math.Abs(tilt0)) + (DegreesPerMetrePerSecond * Math.Abs(v0));
        Assert.Multiple(() =>
        {
            Assert.That(rig.Parts.Safety.Cause, Is.EqualTo(cause));
            Assert.That(Math.Abs(v0), Is.GreaterThan(0.5), "the base was moving at the trip");
            Assert.That(bound, Is.LessThan(rig.Options.Balance.TiltLimitDeg), "the bound itself is inside the tilt limit");
            Assert.That(watch.PeakTiltDeg, Is.LessThan(bound), "peak tilt during the stop, degrees");
            Assert.That(rig.Robot.HasFallen, Is.False);
            Assert.That(watch.Phases, Is.EqualTo(new[] { StopPhase.Stopping, StopPhase.Lowering, StopPhase.TorqueOff }));
            Assert.That(watch.AtRestAfter.TotalSeconds, Is.LessThanOrEqualTo(rig.Options.Safety.ControlledStopTime.TotalSeconds), "at rest (lowering began) within controlled_stop_time");
            Assert.That(rig.Parts.Safety.LastEscalation, Is.EqualTo(StopEscalation.None));
            Assert.That(rig.Robot.IsOnRestStand, Is.True, "sat down on the rest stand");
            Assert.That(Math.Abs(rig.Robot.TrueTiltRad), Is.LessThan(ControlRig.Deg(1)), "upright on the stand without torque");
            Assert.That(rig.Parts.Motor.Commands.Effort, Is.All.EqualTo(0.0), "torque removed at the end of category 1");
            for (int i = 0; i < rig.Options.Robot.Joints.Count; i++)
            {
                if (!rig.Options.Robot.Joints[i].Continuous)
                {
                    Assert.That(rig.Robot.TrueJointPosition(i), Is.EqualTo(limits.RestPose[i]).Within(0.05), rig.Options.Robot.Joints[i].Name + " at its rest pose");
                }
            }
        });
    }

    [Test]
    public void Category2_TrippedMidMotion_BaseKeepsBalancingAndLegsHoldTheTripPose()
    {
        FaultInjectingHal? fault = null;
        var rig = new ControlRig(o => o.Safety.StopActions.Geofence = StopCategory.Category2, hal => fault = new FaultInjectingHal(hal), new SwingingKnees(ControlRig.Fresh()));
        (_, double v0) = MoveThenTrip(rig, fault!, SafetyCause.Geofence);
        double kneeAtTrip = rig.Robot.TrueJointPosition(LeftKnee);

        var watch = Watch(rig, TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(Math.Abs(v0), Is.GreaterThan(0.5));
            Assert.That(watch.Phases, Is.EqualTo(new[] { StopPhase.Stopping, StopPhase.Holding }));
            Assert.That(rig.Robot.HasFallen, Is.False);
            Assert.That(Math.Abs(ControlRig.ToDeg(rig.Robot.TrueTiltRad)), Is.LessThan(1.0), "balancing upright 10 s later");
            Assert.That(Math.Abs(rig.Robot.TrueBase.ForwardVelocity), Is.LessThan(0.05), "at rest");
            Assert.That(rig.Robot.TrueJointPosition(LeftKnee), Is.EqualTo(kneeAtTrip).Within(0.05), "the knee holds the pose it had at the trip");
            Assert.That(rig.Parts.Motor.Commands.Effort.Any(e => e != 0.0), Is.True, "torque kept");
        });
    }

    [Test]
    public void Category0_TorqueOffOnTheTrippingTick_AndTheBaseFalls()
    {
        var rig = new ControlRig(o => o.Safety.StopActions.Requested = StopCategory.Category0);
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));

        rig.Parts.Safety.RequestStop();
        rig.Runner.Step();
        double[] tripping = rig.Parts.Motor.Commands.Effort.ToArray();
        rig.Runner.Run(TimeSpan.FromSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That(tripping, Is.All.EqualTo(0.0));
            Assert.That(rig.Parts.Safety.Phase, Is.EqualTo(StopPhase.TorqueOff));
            Assert.That(rig.Robot.HasFallen, Is.True, "why category 0 is only for measurements that cannot be trusted");
        });
    }

    [Test]
    public void ControlledStop_SecondFault_EscalatesToCategory0AtOnce()
    {
        FaultInjectingHal? fault = null;
        var rig = new ControlRig(wrapHal: hal => fault = new FaultInjectingHal(hal));
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));
        rig.Parts.Safety.RequestStop();
        rig.Runner.Run(TimeSpan.FromMilliseconds(100));
        Assert.That(rig.Parts.Safety.Phase, Is.EqualTo(StopPhase.Stopping));

        fault!.ForcedStatus = HalStatus.Fault;
        rig.Runner.Step();

        Assert.Multiple(() =>
        {
            Assert.That(rig.Parts.Safety.Phase, Is.EqualTo(StopPhase.TorqueOff));
            Assert.That(rig.Parts.Safety.LastEscalation, Is.EqualTo(StopEscalation.SecondFault));
            Assert.That(rig.Parts.Safety.Escalations(StopEscalation.SecondFault), Is.EqualTo(1));
            Assert.That(rig.Parts.Safety.Cause, Is.EqualTo(SafetyCause.Requested), "the latch keeps its first cause");
            Assert.That(rig.Parts.Motor.Commands.Effort, Is.All.EqualTo(0.0));
        });
    }

    [Test]
    public void ControlledStop_NotAtRestInTime_EscalatesOnTimeout()
    {
        // 0.2 s is too short to stop a base rolling at 1 m/s.
        FaultInjectingHal? fault = null;
        var rig = new ControlRig(o => o.Safety.ControlledStopTime = TimeSpan.FromMilliseconds(200), hal => fault = new FaultInjectingHal(hal));
        MoveThenTrip(rig, fault!, SafetyCause.Requested);

        var watch = Watch(rig, TimeSpan.FromSeconds(0.4));

        Assert.Multiple(() =>
        {
            Assert.That(watch.Phases, Is.EqualTo(new[] { StopPhase.Stopping, StopPhase.TorqueOff }));
            Assert.That(rig.Parts.Safety.LastEscalation, Is.EqualTo(StopEscalation.Timeout));
        });
    }

    [Test]
    public void Shutdown_ResetDuringTheStop_RefusedAndTheStopCompletes()
    {
        var rig = new ControlRig();
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));
        rig.Parts.Safety.RequestShutdown();
        rig.Runner.Run(TimeSpan.FromMilliseconds(50));

        bool accepted = rig.Parts.Safety.RequestReset();
        rig.Runner.Step();
        SafetyState afterReset = rig.Parts.Safety.State;
        long writesBefore = rig.Parts.Motor.SafeWrites;
        Watch(rig, TimeSpan.FromSeconds(4));

        Assert.Multiple(() =>
        {
            Assert.That(accepted, Is.False);
            Assert.That(rig.Parts.Safety.ResetsRefused, Is.EqualTo(1));
            Assert.That(afterReset, Is.EqualTo(SafetyState.SafeStop), "a reset does not cancel the shutdown stop");
            Assert.That(rig.Parts.Safety.Phase, Is.EqualTo(StopPhase.TorqueOff));
            Assert.That(rig.Parts.Motor.SafeWrites - writesBefore, Is.EqualTo(4000), "every tick wrote the safe output");
            Assert.That(rig.Robot.HasFallen, Is.False);
        });
    }

    [Test]
    public void Shutdown_DuringACategory2Hold_FinishesAsRequestedSays()
    {
        var rig = new ControlRig(o => o.Safety.StopActions.BatteryCritical = StopCategory.Category2);
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));
        rig.Robot.SetBatteryLevel(0.01);
        rig.Runner.Run(TimeSpan.FromSeconds(2));
        StopPhase held = rig.Parts.Safety.Phase;

        rig.Parts.Safety.RequestShutdown();
        var watch = Watch(rig, TimeSpan.FromSeconds(4));

        Assert.Multiple(() =>
        {
            Assert.That(held, Is.EqualTo(StopPhase.Holding));
            Assert.That(rig.Parts.Safety.Category, Is.EqualTo(StopCategory.Category1));
            Assert.That(watch.Phases, Is.EqualTo(new[] { StopPhase.Stopping, StopPhase.Lowering, StopPhase.TorqueOff }));
            Assert.That(rig.Robot.IsOnRestStand, Is.True);
        });
    }

    [Test]
    public void Reset_AfterAControlledStop_ControlResumesAndTheBaseKeepsBalancing()
    {
        var rig = new ControlRig(o => o.Safety.StopActions.Requested = StopCategory.Category2);
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));
        rig.Parts.Safety.RequestStop();
        rig.Runner.Run(TimeSpan.FromSeconds(1));

        Assert.That(rig.Parts.Safety.RequestReset(), Is.True);
        rig.Runner.Run(TimeSpan.FromSeconds(3));

        Assert.Multiple(() =>
        {
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok));
            Assert.That(rig.Parts.Safety.Phase, Is.EqualTo(StopPhase.None));
            Assert.That(rig.Parts.Motor.Commands.SafeOutput, Is.False);
            Assert.That(Math.Abs(ControlRig.ToDeg(rig.Robot.TrueTiltRad)), Is.LessThan(1.0));
        });
    }

    /// <summary>Pushes the base to about 1 m/s while the knees swing, then trips <paramref name="cause"/>.</summary>
    private static (double TiltAtTrip, double SpeedAtTrip) MoveThenTrip(ControlRig rig, FaultInjectingHal fault, SafetyCause cause)
    {
        rig.Runner.Run(TimeSpan.FromSeconds(1));
        rig.Robot.Push(30.0, TimeSpan.FromMilliseconds(300));
        rig.Runner.Run(TimeSpan.FromSeconds(0.3));
        Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok), "healthy before the trip");
        switch (cause)
        {
            // Glitches: the measurement is wrong for one tick, then trusted again.
            case SafetyCause.JointPosition: fault.Corrupt = s => s.Position[LeftKnee] = 1.0; break;
            case SafetyCause.JointVelocity: fault.Corrupt = s => s.Velocity[LeftKnee] = 100.0; break;
            case SafetyCause.JointEffort: rig.Robot.ApplyLoad(LeftKnee, 50.0, TimeSpan.FromMilliseconds(2)); break;
            case SafetyCause.Overruns: rig.Runner.Stall(TimeSpan.FromMilliseconds(100)); break;
            case SafetyCause.BatteryCritical: rig.Robot.SetBatteryLevel(0.01); break;
            case SafetyCause.Geofence: rig.Robot.Teleport(50.0, 0.0); break;
            case SafetyCause.Requested: rig.Parts.Safety.RequestStop(); break;
            default: throw new ArgumentOutOfRangeException(nameof(cause), cause, "no injection for this cause");
        }

        rig.Runner.Step();
        fault.Corrupt = null;
        Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.SafeStop), "tripped");
        return (rig.Robot.TrueTiltRad, rig.Robot.TrueBase.ForwardVelocity);
    }

    private static StopWatchFigures Watch(ControlRig rig, TimeSpan duration)
    {
        var phases = new List<StopPhase>();
        double peak = 0;
        long start = rig.Runner.NowNs;
        long atRest = -1;
        rig.Runner.Run(duration, _ =>
        {
            peak = Math.Max(peak, Math.Abs(rig.Robot.TrueTiltRad));
            StopPhase phase = rig.Parts.Safety.Phase;
            if (phases.Count == 0 || phases[^1] != phase)
            {
                phases.Add(phase);
                if (phase is StopPhase.Lowering or StopPhase.Holding && atRest < 0)
                {
                    atRest = rig.Runner.NowNs - start;
                }
            }
        });
        return new StopWatchFigures(phases, ControlRig.ToDeg(peak), TimeSpan.FromTicks(Math.Max(0, atRest) / 100));
    }

    private sealed record StopWatchFigures(List<StopPhase> Phases, double PeakTiltDeg, TimeSpan AtRestAfter);

    /// <summary>The home pose, with both knees swinging ±0.3 rad at 1 Hz.</summary>
    private sealed class SwingingKnees(AgentOptions options) : IJointReference
    {
        private readonly double[] _home = options.Robot.Joints.Select(j => j.Home).ToArray();
        private readonly int[] _knees = [options.Robot.Joints.FindIndex(j => j.Name == "left_knee"), options.Robot.Joints.FindIndex(j => j.Name == "right_knee")];

        public void Evaluate(long nowNs, Span<double> position, Span<double> velocity, Span<double> acceleration)
        {
            _home.AsSpan().CopyTo(position);
            velocity.Clear();
            acceleration.Clear();
            double w = 2 * Math.PI;
            double t = nowNs * 1e-9;
            foreach (int k in _knees)
            {
                position[k] += 0.3 * Math.Sin(w * t);
                velocity[k] = 0.3 * w * Math.Cos(w * t);
                acceleration[k] = -0.3 * w * w * Math.Sin(w * t);
            }
        }
    }
}
