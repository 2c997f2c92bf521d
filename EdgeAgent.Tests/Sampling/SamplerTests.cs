using EdgeAgent.Control.Safety;
using EdgeAgent.Control;
using EdgeAgent.Hal;
using EdgeAgent.Sampling;

namespace EdgeAgent.Tests.Sampling;

public sealed class SamplerTests
{
    private const int Joints = 3;

    [Test]
    public void OnMotorTick_ThousandTicksAtDecimationTen_WritesHundredSamples()
    {
        var ring = new SpscRing<TelemetrySample>(256);
        var sampler = new Sampler(ring, decimation: 10, Joints);
        var (state, commands) = Robot();

        for (int tick = 0; tick < 1000; tick++)
        {
            sampler.OnMotorTick(tick * 1_000_000L, state, commands, SafetyState.Ok, SafetyCause.None, 0);
        }

        var stamps = new List<long>();
        while (ring.TryRead(out TelemetrySample sample))
        {
            stamps.Add(sample.MonotonicNs);
        }

        Assert.Multiple(() =>
        {
            Assert.That(sampler.Sampled, Is.EqualTo(100));
            Assert.That(ring.Written, Is.EqualTo(100));
            Assert.That(stamps, Has.Count.EqualTo(100));
            Assert.That(stamps[0], Is.Zero, "the first tick is sampled");
            Assert.That(stamps[1] - stamps[0], Is.EqualTo(10_000_000), "every 10th tick (10 ms apart)");
            Assert.That(stamps[^1], Is.EqualTo(990_000_000));
        });
    }

    [Test]
    public void OnMotorTick_DecimationOne_SamplesEveryTick()
    {
        var ring = new SpscRing<TelemetrySample>(16);
        var sampler = new Sampler(ring, decimation: 1, Joints);
        var (state, commands) = Robot();

        for (int tick = 0; tick < 7; tick++)
        {
            sampler.OnMotorTick(tick, state, commands, SafetyState.Ok, SafetyCause.None, 0);
        }

        Assert.That(ring.Written, Is.EqualTo(7));
    }

    [Test]
    public void OnMotorTick_StateAndCommands_MapsEveryField()
    {
        var ring = new SpscRing<TelemetrySample>(4);
        var sampler = new Sampler(ring, decimation: 1, Joints);
        var (state, commands) = Robot();
        long wallBefore = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

        sampler.OnMotorTick(123_456_789, state, commands, SafetyState.SafeStop, SafetyCause.Tilt, overruns: 42);

        long wallAfter = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1) * 1_000_000;
        Assert.That(ring.TryRead(out TelemetrySample s), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(s.MonotonicNs, Is.EqualTo(123_456_789));
            Assert.That(s.WallUnixNs, Is.InRange(wallBefore, wallAfter), "CLOCK_REALTIME, ns since the Unix epoch");
            Assert.That(s.Overruns, Is.EqualTo(42));
            Assert.That(s.JointCount, Is.EqualTo(Joints));
            for (int j = 0; j < Joints; j++)
            {
                Assert.That(s.Position[j], Is.EqualTo((float)state.Position[j]), $"position {j}");
                Assert.That(s.Velocity[j], Is.EqualTo((float)state.Velocity[j]), $"velocity {j}");
                Assert.That(s.Effort[j], Is.EqualTo((float)state.Effort[j]), $"effort {j}");
                Assert.That(s.Command[j], Is.EqualTo((float)commands.Effort[j]), $"command {j}");
            }

            Assert.That(s.Position[Joints], Is.Zero, "entries past JointCount stay zero");
            Assert.That(s.BaseX, Is.EqualTo(12.5));
            Assert.That(s.BaseY, Is.EqualTo(-3.25));
            Assert.That(s.BaseHeading, Is.EqualTo(1.5f));
            Assert.That(s.BaseVelocity, Is.EqualTo(0.75f));
            Assert.That(s.Tilt, Is.EqualTo(0.125f));
            Assert.That(s.TiltRate, Is.EqualTo(-0.5f));
            Assert.That(s.BatteryLevel, Is.EqualTo(0.625f));
            Assert.That(s.BatteryVoltage, Is.EqualTo(24.5f));
            Assert.That(s.SafetyState, Is.EqualTo((byte)SafetyState.SafeStop));
            Assert.That(s.SafetyCause, Is.EqualTo((byte)SafetyCause.Tilt));
        });
    }

    [Test]
    public void OnMotorTick_CpuAndRttSet_LaterSamplesCarryThem()
    {
        var ring = new SpscRing<TelemetrySample>(4);
        var sampler = new Sampler(ring, decimation: 1, Joints);
        var (state, commands) = Robot();

        sampler.OnMotorTick(1, state, commands, SafetyState.Ok, SafetyCause.None, 0);
        sampler.CpuPercent = 37.5f;
        sampler.UplinkRttMs = 18.25f;
        sampler.OnMotorTick(2, state, commands, SafetyState.Ok, SafetyCause.None, 0);

        ring.TryRead(out TelemetrySample first);
        ring.TryRead(out TelemetrySample second);
        Assert.Multiple(() =>
        {
            Assert.That(first.CpuPercent, Is.Zero);
            Assert.That(first.UplinkRttMs, Is.Negative, "unknown before the first round trip");
            Assert.That(second.CpuPercent, Is.EqualTo(37.5f));
            Assert.That(second.UplinkRttMs, Is.EqualTo(18.25f));
        });
    }

    [Test]
    public void OnMotorTick_TenThousandCalls_AllocateZeroBytes()
    {
        var ring = new SpscRing<TelemetrySample>(64);
        var sampler = new Sampler(ring, decimation: 2, TelemetrySample.MaxJoints);
        var state = new RobotState(TelemetrySample.MaxJoints);
        var commands = new JointCommands(TelemetrySample.MaxJoints);
        for (int k = 0; k < 100; k++)
        {
            sampler.OnMotorTick(k, state, commands, SafetyState.Ok, SafetyCause.None, 0);
            ring.TryRead(out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 10_000; k++)
        {
            sampler.OnMotorTick(k, state, commands, SafetyState.Ok, SafetyCause.None, 0);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Multiple(() =>
        {
            Assert.That(allocated, Is.Zero, "bytes allocated by 10,000 ticks (5,000 samples, ring full)");
            Assert.That(ring.Dropped, Is.Positive, "the ring overflowed during the measurement");
        });
    }

    [Test]
    public void Constructor_TooManyJoints_ThrowsArgumentException()
    {
        var ring = new SpscRing<TelemetrySample>(4);

        Assert.That(
            () => new Sampler(ring, decimation: 10, TelemetrySample.MaxJoints + 1),
            Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("jointCount"));
    }

    [Test]
    public void Constructor_MaxJoints_Accepted()
    {
        var ring = new SpscRing<TelemetrySample>(4);

        Assert.That(() => new Sampler(ring, decimation: 10, TelemetrySample.MaxJoints), Throws.Nothing);
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void Constructor_DecimationBelowOne_ThrowsArgumentException(int decimation)
    {
        var ring = new SpscRing<TelemetrySample>(4);

        Assert.That(
            () => new Sampler(ring, decimation, Joints),
            Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("decimation"));
    }

    private static (RobotState State, JointCommands Commands) Robot()
    {
        var state = new RobotState(Joints);
        var commands = new JointCommands(Joints);
        for (int j = 0; j < Joints; j++)
        {
            state.Position[j] = 0.1 * (j + 1);
            state.Velocity[j] = -0.2 * (j + 1);
            state.Effort[j] = 1.5 * (j + 1);
            commands.Effort[j] = -2.5 * (j + 1);
        }

        state.Base = new BaseReading(12.5, -3.25, 1.5, 0.75);
        state.Imu = new ImuReading(0.125, -0.5, 0.01, true);
        state.Battery = new BatteryReading(0.625, 24.5, 3.0);
        return (state, commands);
    }
}
