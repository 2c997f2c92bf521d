using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Control.Safety;

/// <summary>Stall limits in physical time on the shipped defaults (max_control_gap 75 ms, missed_period_limit 0.2 per 1 s).</summary>
public sealed class StallLimitTests
{
    [TestCase(10)]
    [TestCase(60)]
    [TestCase(70)]
    public void Stall_ShorterThanMaxControlGap_ReportedNotTripped(int milliseconds)
    {
        var rig = new ControlRig();
        rig.Runner.Run(TimeSpan.FromSeconds(1.5));

        rig.Runner.Stall(TimeSpan.FromMilliseconds(milliseconds));
        rig.Runner.Run(TimeSpan.FromSeconds(2));

        Assert.Multiple(() =>
        {
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok));
            Assert.That(rig.Parts.Safety.Stalls.LongestGapNs, Is.EqualTo((milliseconds + 1) * 1_000_000L), "the gap is measured and reported");
            Assert.That(rig.Robot.HasFallen, Is.False);
        });
    }

    // The derivation of the default (config/agent.yaml): in the middle of a hard push (30 N for 300 ms tilts the
    // base about 13.5°) a stall just under max_control_gap is ridden out with little extra tilt, and a stall of
    // twice the limit, were it not tripped, would still not fell the base: the limit trips with margin.
    [Test]
    public void Stall_JustUnderMaxControlGapDuringAHardPush_AddsUnderTwoDegreesOfTilt()
    {
        double calm = PeakTiltDuringPushDeg(stall: TimeSpan.Zero, out _, out _);
        var under = TimeSpan.FromTicks(ControlRig.ShippedOptions.Safety.MaxControlGap.Ticks) - TimeSpan.FromMilliseconds(2);
        double stalled = PeakTiltDuringPushDeg(under, out SafetyState state, out bool fallen);

        Assert.Multiple(() =>
        {
            Assert.That(calm, Is.GreaterThan(10.0), "the push is hard");
            Assert.That(state, Is.EqualTo(SafetyState.Ok), "shorter than max_control_gap: no trip");
            Assert.That(fallen, Is.False);
            Assert.That(stalled - calm, Is.LessThan(2.0), "extra peak tilt from the stall, degrees");
        });
    }

    [Test]
    public void Stall_TwiceMaxControlGapDuringAHardPush_UntrippedTheBaseStillRecovers()
    {
        var twice = TimeSpan.FromTicks(ControlRig.ShippedOptions.Safety.MaxControlGap.Ticks * 2);
        double peak = PeakTiltDuringPushDeg(twice, out _, out bool fallen, limitsOff: true);

        Assert.Multiple(() =>
        {
            Assert.That(fallen, Is.False);
            Assert.That(peak, Is.LessThan(ControlRig.ShippedOptions.Balance.TiltLimitDeg), "inside the tilt limit");
        });
    }

    [Test]
    public void Stall_OneHundredMilliseconds_TripsOverrunsWithTheGapInTheCause()
    {
        var rig = new ControlRig();
        rig.Runner.Run(TimeSpan.FromSeconds(1.5));

        rig.Runner.Stall(TimeSpan.FromMilliseconds(100));
        rig.Runner.Step();

        Assert.Multiple(() =>
        {
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.SafeStop));
            Assert.That(rig.Parts.Safety.Cause, Is.EqualTo(SafetyCause.Overruns));
            Assert.That(rig.Parts.Safety.TripGapNs, Is.EqualTo(101_000_000L));
            Assert.That(SafetyText.Summary(rig.Parts.Safety, rig.Parts.Tuning.Current.Safety), Does.Contain("control gap 101.0 ms > max_control_gap 75 ms"));
            Assert.That(rig.Parts.Safety.Phase, Is.EqualTo(StopPhase.Stopping), "overruns default to a controlled stop");
        });
    }

    [Test]
    public void MissedPeriods_AThirdSustained_Trips()
    {
        // Every other tick overruns by one period: 1 of every 3 periods missed.
        var rig = new ControlRig();
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));

        int ticks = 0;
        while (rig.Parts.Safety.State != SafetyState.SafeStop && ticks < 4000)
        {
            rig.Runner.Step();
            if (++ticks % 2 == 0)
            {
                rig.Runner.Stall(TimeSpan.FromMilliseconds(1));
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(rig.Parts.Safety.Cause, Is.EqualTo(SafetyCause.Overruns));
            Assert.That(rig.Parts.Safety.TripGapNs, Is.Zero, "no single gap was too long");
            // The share climbs from 0 as the missing periods fill the 1 s window; it trips just past the limit.
            Assert.That(rig.Parts.Safety.TripMissedShare, Is.GreaterThan(rig.Options.Safety.MissedPeriodLimit).And.LessThan(1.0 / 3 + 0.01));
            Assert.That(ticks, Is.LessThanOrEqualTo(700), "tripped within one window (1 s = 667 ticks at this rate)");
        });
    }

    [Test]
    public void MissedPeriods_OneInTenSustained_DoesNotTrip()
    {
        var rig = new ControlRig();
        for (int k = 0; k < 3000; k++)
        {
            rig.Runner.Step();
            if (k % 9 == 0)
            {
                rig.Runner.Stall(TimeSpan.FromMilliseconds(1));
            }
        }

        Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok));
    }

    [Test]
    [Category("RealTime")]
    public void RealLoopThread_HalBlocks400Milliseconds_TripsOverruns()
    {
        // Real threads on the normal scheduler: a loaded 2-core machine stalls them for tens of milliseconds, so
        // the limit (250 ms) sits far above such stalls and the injected block (400 ms) far above the limit, and
        // the missed-period share is off: only the block can trip, and it must.
        var options = ControlRig.Fresh();
        options.Timing.MotorPriority = 0;
        options.Timing.BalancePriority = 0;
        options.Safety.MaxControlGap = TimeSpan.FromMilliseconds(250);
        options.Safety.MissedPeriodLimit = 1;
        var robot = new SimulatedRobot(HalFactory.SimOptionsFrom(options), MonotonicClock.Instance);
        var hal = new BlockingHal(robot, blockOnRead: 300, TimeSpan.FromMilliseconds(400));
        var parts = new ControlParts(options, hal);
        hal.Start(CancellationToken.None);
        using var balance = new LoopThread(LoopSettings.ForBalance(options.Timing, options.Balance), parts.BalanceLoop, NullLogger.Instance);
        using var motor = new LoopThread(LoopSettings.ForMotor(options.Timing, options.Motor), parts.Motor, NullLogger.Instance);
        balance.Start();
        motor.Start();

        var wait = System.Diagnostics.Stopwatch.StartNew();
        while (parts.Safety.Trips(SafetyCause.Overruns) == 0 && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(10);
        }

        motor.Stop();
        balance.Stop();
        Assert.Multiple(() =>
        {
            Assert.That(hal.Blocked, Is.True, "the HAL blocked once");
            Assert.That(parts.Safety.Trips(SafetyCause.Overruns), Is.EqualTo(1));
            Assert.That(parts.Safety.Stalls.LongestGapNs, Is.GreaterThanOrEqualTo(400_000_000L));
        });
    }

    private static double PeakTiltDuringPushDeg(TimeSpan stall, out SafetyState state, out bool fallen, bool limitsOff = false)
    {
        var rig = new ControlRig(o =>
        {
            if (limitsOff)
            {
                o.Safety.MaxControlGap = TimeSpan.FromSeconds(10);
                o.Safety.MissedPeriodLimit = 1;
            }
        });
        rig.Runner.Run(TimeSpan.FromSeconds(1));
        rig.Robot.Push(30.0, TimeSpan.FromMilliseconds(300));
        rig.Runner.Run(TimeSpan.FromSeconds(0.15));
        rig.Runner.Stall(stall);
        double peak = 0;
        rig.Runner.Run(TimeSpan.FromSeconds(3), _ => peak = Math.Max(peak, Math.Abs(rig.Robot.TrueTiltRad)));
        state = rig.Parts.Safety.State;
        fallen = rig.Robot.HasFallen;
        return ControlRig.ToDeg(peak);
    }

    /// <summary>A HAL whose Nth read blocks the motor thread (a driver stuck in a system call).</summary>
    private sealed class BlockingHal(IRobotHal inner, int blockOnRead, TimeSpan block) : IRobotHal
    {
        private int _reads;

        public bool Blocked { get; private set; }

        public IReadOnlyList<string> JointNames => inner.JointNames;

        public void Start(CancellationToken cancellationToken) => inner.Start(cancellationToken);

        public HalStatus Read(RobotState state)
        {
            if (++_reads == blockOnRead)
            {
                Thread.Sleep(block);
                Blocked = true;
            }

            return inner.Read(state);
        }

        public HalStatus Write(JointCommands commands) => inner.Write(commands);

        public void Dispose() => inner.Dispose();
    }
}
