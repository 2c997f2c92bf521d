using System.Reflection;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;

namespace EdgeAgent.Tests.Control;

public sealed class ControlTuningTests
{
    private const string Knee = "left_knee";

    [Test]
    public void Publish_BetweenSafetyCheckAndControllerInOneTick_TheTickUsesOnlyTheSnapshotItStarted()
    {
        // The reference is evaluated after the safety check and before the controller: a reload published
        // there is the worst moment for a split swap (safety saw the old limits, the controller would see new
        // gains). The new snapshot multiplies the knee's kp by 10 and cuts its effort_max to 1 N·m.
        var reference = new SwappingReference(ControlRig.Fresh());
        var rig = new ControlRig(reference: reference);
        int knee = rig.JointIndex(Knee);
        reference.Bind(rig.Parts.Tuning, knee);
        rig.Runner.Run(TimeSpan.FromSeconds(0.5));
        reference.Offset = 0.3;
        rig.Runner.Step();

        reference.SwapOnNextEvaluate = true;
        rig.Runner.Step();
        double swapTick = rig.Parts.Motor.Commands.Effort[knee];
        rig.Runner.Step();
        double nextTick = rig.Parts.Motor.Commands.Effort[knee];

        Assert.Multiple(() =>
        {
            Assert.That(reference.Published, Is.True);
            Assert.That(Math.Abs(swapTick), Is.GreaterThan(5.0), "the swap tick used the old kp and the old effort_max together");
            Assert.That(Math.Abs(nextTick), Is.LessThanOrEqualTo(1.0), "the next tick uses the new effort_max");
            Assert.That(rig.Parts.Safety.Cause, Is.EqualTo(SafetyCause.JointEffort), "the next tick's safety check uses the new effort_max as well: the ~18 N·m measured is past 1.1 N·m");
            Assert.That(rig.Parts.Tuning.Current.Version, Is.EqualTo(7));
        });
    }

    [Test]
    public void Publish_OtherJointTable_Refused()
    {
        var rig = new ControlRig();
        AgentOptions smaller = ControlRig.Fresh();
        smaller.Robot.Joints.RemoveAt(0);
        smaller.Motor.Gains.RemoveAt(0);

        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Parts.Tuning.Publish(ControlTuning.From(smaller)));
    }

    [Test]
    public void MotorTick_BalanceMailboxReadCollides_KeepsTheLastGoodCommand()
    {
        var rig = new ControlRig();
        int wheel = rig.JointIndex("left_wheel");
        rig.Runner.Run(TimeSpan.FromSeconds(1));
        rig.Robot.Push(30.0, TimeSpan.FromMilliseconds(300));
        rig.Runner.Run(TimeSpan.FromSeconds(0.305));
        double before = rig.Parts.Motor.Commands.Velocity[wheel];

        // A writer stuck mid-write (odd sequence): every read collides and gives up.
        FieldInfo sequence = typeof(Mailbox<BalanceCommand>).GetField("_sequence", BindingFlags.NonPublic | BindingFlags.Instance)!;
        sequence.SetValue(rig.Parts.FromBalance, (long)sequence.GetValue(rig.Parts.FromBalance)! + 1);
        Assert.That(rig.Parts.FromBalance.TryRead(out _), Is.False, "the read collides");
        long now = rig.Runner.NowNs + 1_000_000;
        rig.Clock.AdvanceTo(now);
        rig.Parts.Motor.Tick(now, 0);
        double during = rig.Parts.Motor.Commands.Velocity[wheel];

        Assert.Multiple(() =>
        {
            Assert.That(Math.Abs(before), Is.GreaterThan(2.0), "the wheels were turning (rad/s)");
            Assert.That(during, Is.EqualTo(before).Within(0.2), "the last good balance command, not zero");
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.Ok));
        });
    }

    /// <summary>The home pose (knee offset by <see cref="Offset"/>); publishes a new tuning from inside Evaluate when armed.</summary>
    private sealed class SwappingReference(AgentOptions options) : IJointReference
    {
        private readonly double[] _home = options.Robot.Joints.Select(j => j.Home).ToArray();
        private TuningCell? _cell;
        private ControlTuning? _next;
        private int _knee;

        public double Offset { get; set; }

        public bool SwapOnNextEvaluate { get; set; }

        public bool Published { get; private set; }

        public void Bind(TuningCell cell, int knee)
        {
            _cell = cell;
            _knee = knee;
            AgentOptions edited = ControlRig.Fresh();
            edited.Motor.Gains.Single(g => g.Joint == Knee).Kp *= 10;
            edited.Robot.Joints[knee].EffortMax = 1.0;
            _next = ControlTuning.From(edited, version: 7);
        }

        public void Evaluate(long nowNs, Span<double> position, Span<double> velocity, Span<double> acceleration)
        {
            _home.AsSpan().CopyTo(position);
            position[_knee] += Offset;
            velocity.Clear();
            acceleration.Clear();
            if (SwapOnNextEvaluate)
            {
                SwapOnNextEvaluate = false;
                _cell!.Publish(_next!);
                Published = true;
            }
        }
    }
}
