using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Hal;

namespace EdgeAgent.Tests.Control;

public sealed class MotorControllerTests
{
    private const string Joint = "left_knee";

    [Test]
    public void StepResponse_KneeStep_OvershootAndSettlingWithinBoundsFromGains()
    {
        var reference = new StepReference(Home());
        var rig = new ControlRig(o => o.Hal.Sim.PositionNoise = 0.0, reference: reference);
        int j = rig.JointIndex(Joint);
        JointGainsOptions g = rig.Options.Motor.Gains.Single(x => x.Joint == Joint);
        double inertia = rig.Options.Hal.Sim.JointInertia;
        double damping = rig.Options.Hal.Sim.JointDamping;

        // Second-order model of the PD loop: J q'' + (kd + b) q' + kp q = kp r.
        double wn = Math.Sqrt(g.Kp / inertia);
        double zeta = (g.Kd + damping) / (2.0 * Math.Sqrt(g.Kp * inertia));
        double predictedOvershoot = Math.Exp(-zeta * Math.PI / Math.Sqrt(1 - (zeta * zeta)));
        double predictedSettling = 4.0 / (zeta * wn);

        rig.Runner.Run(TimeSpan.FromSeconds(0.5));
        double start = rig.Robot.TrueJointPosition(j);
        const double step = 0.5;
        reference.Set(j, start + step);
        double peak = double.NegativeInfinity;
        double settledAt = double.NaN;
        var trace = new List<double>();
        rig.Runner.Run(TimeSpan.FromSeconds(1.0), k => trace.Add(rig.Robot.TrueJointPosition(j)));
        for (int k = 0; k < trace.Count; k++)
        {
            peak = Math.Max(peak, trace[k]);
        }

        for (int k = trace.Count - 1; k >= 0; k--)
        {
            if (Math.Abs(trace[k] - (start + step)) > 0.02 * step)
            {
                settledAt = (k + 1) / rig.Options.Motor.RateHz;
                break;
            }
        }

        double overshoot = (peak - (start + step)) / step;
        Assert.Multiple(() =>
        {
            // Friction, the integrator and the 1 ms sample delay add a little over the ideal model.
            Assert.That(overshoot, Is.LessThanOrEqualTo(predictedOvershoot + 0.05), $"overshoot (model {predictedOvershoot:P1})");
            Assert.That(settledAt, Is.LessThanOrEqualTo(2.0 * predictedSettling), $"2 % settling time (model {predictedSettling * 1000:F0} ms)");
            Assert.That(trace[^1], Is.EqualTo(start + step).Within(0.01 * step), "final value");
        });
    }

    [Test]
    public void SineTracking_HipPitch_ErrorWithinBoundFromGains()
    {
        const double amplitude = 0.3;
        const double frequencyHz = 1.0;
        var reference = new SineReference(Home(), 2, amplitude, frequencyHz);
        var rig = new ControlRig(reference: reference);
        reference.Offset = rig.Options.Robot.Joints[2].Home;
        reference.StartNs = rig.Clock.NowNs;
        JointGainsOptions g = rig.Options.Motor.Gains[2];
        double j = rig.Options.Hal.Sim.JointInertia;
        double b = rig.Options.Hal.Sim.JointDamping;

        // Bound: the error a PD without any feed-forward would have, |(−Jω² + jbω)/(kp − Jω² + j(kd + b)ω)|·A,
        // plus Coulomb friction over kp and three sigma of the position noise. Feed-forward must beat it.
        double w = 2 * Math.PI * frequencyHz;
        double num = Math.Sqrt(Math.Pow(j * w * w, 2) + Math.Pow(b * w, 2));
        double den = Math.Sqrt(Math.Pow(g.Kp - (j * w * w), 2) + Math.Pow((g.Kd + b) * w, 2));
        double bound = (num / den * amplitude) + (rig.Options.Hal.Sim.JointFriction / g.Kp) + (3 * rig.Options.Hal.Sim.PositionNoise);

        rig.Runner.Run(TimeSpan.FromSeconds(1));
        double worst = 0;
        rig.Runner.Run(TimeSpan.FromSeconds(3), _ =>
            worst = Math.Max(worst, Math.Abs(rig.Robot.TrueJointPosition(2) - reference.At(rig.Clock.NowNs))));

        Assert.That(worst, Is.LessThan(bound), $"worst tracking error (bound {bound:F4} rad)");
    }

    [Test]
    public void Compute_SaturatedForLong_IntegratorDoesNotWindUp()
    {
        var (options, controller, state, commands, pRef, zeros) = Bare();
        MotorGains gains = MotorGains.From(options.Robot, options.Motor);

        // 1 rad of error saturates hip_pitch (kp 60 · 1 = 60 N·m > 40) for 2 s.
        const int hip = 2;
        for (int k = 0; k < 2000; k++)
        {
            pRef[hip] = state.Position[hip] + 1.0;
            controller.Compute(gains, state, pRef, zeros, zeros, 0.001, commands);
        }

        Assert.That(commands.Effort[hip], Is.EqualTo(options.Robot.Joints[hip].EffortMax));
        pRef[hip] = state.Position[hip];
        controller.Compute(gains, state, pRef, zeros, zeros, 0.001, commands);

        // Without conditional integration the integrator would hold integral_limit (5 N·m) here.
        Assert.That(commands.Effort[hip], Is.EqualTo(0.0).Within(0.05));
    }

    [Test]
    public void Compute_VelocityPastLimit_RemovesTorqueThatWouldSpeedUp()
    {
        var (options, controller, state, commands, pRef, zeros) = Bare();
        MotorGains gains = MotorGains.From(options.Robot, options.Motor);
        state.Velocity[0] = options.Robot.Joints[0].VelocityMax + 1.0;
        pRef[0] = 0.5;

        controller.Compute(gains, state, pRef, zeros, zeros, 0.001, commands);

        Assert.That(commands.Effort[0], Is.LessThanOrEqualTo(0.0));
    }

    [Test]
    public void Compute_ReferenceOutsideLimits_ClampedToLimit()
    {
        var (options, controller, state, commands, pRef, zeros) = Bare();
        MotorGains gains = MotorGains.From(options.Robot, options.Motor);
        pRef[0] = 100.0;

        controller.Compute(gains, state, pRef, zeros, zeros, 0.001, commands);

        Assert.That(commands.Position[0], Is.EqualTo(options.Robot.Joints[0].PositionMax));
    }

    [Test]
    public void Compute_NewGains_UsedFromTheCallThatGetsThem()
    {
        var (options, controller, state, commands, pRef, zeros) = Bare();
        MotorGains gains = MotorGains.From(options.Robot, options.Motor);
        pRef[0] = 0.1;
        controller.Compute(gains, state, pRef, zeros, zeros, 0.001, commands);
        double before = commands.Effort[0];

        options.Motor.Gains[0].Kp *= 2;
        gains = MotorGains.From(options.Robot, options.Motor);
        controller.ResetIntegrators();
        controller.Compute(gains, state, pRef, zeros, zeros, 0.001, commands);

        Assert.That(commands.Effort[0], Is.EqualTo(2 * before).Within(0.01));
    }

    /// <summary>A controller with the shipped gains and zeroed state, references and commands.</summary>
    private static (AgentOptions Options, MotorController Controller, RobotState State, JointCommands Commands, double[] PositionRef, double[] Zeros) Bare()
    {
        var options = ControlRig.Fresh();
        int n = options.Robot.Joints.Count;
        return (options, new MotorController(n), new RobotState(n), new JointCommands(n), new double[n], new double[n]);
    }

    private static double[] Home() => ControlRig.ShippedOptions.Robot.Joints.Select(j => j.Home).ToArray();

    private sealed class StepReference(double[] home) : IJointReference
    {
        private readonly double[] _target = (double[])home.Clone();

        public void Set(int joint, double value) => _target[joint] = value;

        public void Evaluate(long nowNs, Span<double> position, Span<double> velocity, Span<double> acceleration)
        {
            _target.CopyTo(position);
            velocity.Clear();
            acceleration.Clear();
        }
    }

    private sealed class SineReference(double[] home, int joint, double amplitude, double frequencyHz) : IJointReference
    {
        private readonly double[] _home = home;

        public double Offset { get; set; }

        public long StartNs { get; set; }

        public double At(long nowNs) => Offset + (amplitude * Math.Sin(Phase(nowNs)));

        public void Evaluate(long nowNs, Span<double> position, Span<double> velocity, Span<double> acceleration)
        {
            _home.CopyTo(position);
            velocity.Clear();
            acceleration.Clear();
            double w = 2 * Math.PI * frequencyHz;
            position[joint] = At(nowNs);
            velocity[joint] = amplitude * w * Math.Cos(Phase(nowNs));
            acceleration[joint] = -amplitude * w * w * Math.Sin(Phase(nowNs));
        }

        private double Phase(long nowNs) => 2 * Math.PI * frequencyHz * (nowNs - StartNs) * 1e-9;
    }
}
