using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Control.Safety;

/// <summary>Stall limits in physical time on the shipped defaults (max_control_gap 50 ms, missed_period_limit 0.2 per 1 s).</summary>
public sealed class StallLimitTests
{
    [TestCase(10)]
    [TestCase(45)]
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
            Assert.That(SafetyText.Summary(rig.Parts.Safety, rig.Parts.Tuning.Current.Safety), Does.Contain("control gap 101.0 ms > max_control_gap 50 ms"));
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
    public void RealLoopThread_HalBlocks150Milliseconds_TripsOverruns()
    {
        var options = ControlRig.Fresh();
        options.Timing.MotorPriority = 0;
        options.Timing.BalancePriority = 0;
        var robot = new SimulatedRobot(HalFactory.SimOptionsFrom(options), MonotonicClock.Instance);
        var hal = new BlockingHal(robot, blockOnRead: 300, TimeSpan.FromMilliseconds(150));
        var parts = new ControlParts(options, hal);
        hal.Start(CancellationToken.None);
        using var balance = new LoopThread(LoopSettings.ForBalance(options.Timing, options.Balance), parts.BalanceLoop, NullLogger.Instance);
        using var motor = new LoopThread(LoopSettings.ForMotor(options.Timing, options.Motor), parts.Motor, NullLogger.Instance);
        balance.Start();
        motor.Start();

        var wait = System.Diagnostics.Stopwatch.StartNew();
        while (parts.Safety.Trips(SafetyCause.Overruns) == 0 && wait.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(10);
        }

        motor.Stop();
        balance.Stop();
        Assert.Multiple(() =>
        {
            Assert.That(hal.Blocked, Is.True, "the HAL blocked once");
            Assert.That(parts.Safety.Trips(SafetyCause.Overruns), Is.EqualTo(1));
            Assert.That(parts.Safety.Stalls.LongestGapNs, Is.GreaterThanOrEqualTo(150_000_000L));
        });
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
