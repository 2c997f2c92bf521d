using System.Buffers;
using EdgeAgent.Sampling;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Protocol;
using Google.Protobuf;

namespace EdgeAgent.Tests.Protocol;

public sealed class BatchEncoderTests
{
    [TestCase(12)]
    [TestCase(1)]
    public void Encode_NoSamples_ProtocolRefusesIt(int joints)
    {
        // The uplink never builds an empty batch; one that arrives is outside the protocol (1 to 10 000 samples).
        string[] names = WireTestData.TwelveJoints.Take(joints).ToArray();
        TelemetryBatch batch = TelemetryBatch.Parser.ParseFrom(Encode(new BatchEncoder("robot-7", "boot-a1", names), 5, [], replay: false));

        Assert.That(batch.SampleCount, Is.Zero);
        Assert.That(BatchDecoder.Validate(batch), Does.Contain("sample_count"));
    }

    [TestCase(100, 12, 7UL, false)]
    [TestCase(100, 1, 1UL, true)]
    [TestCase(1, 12, 300UL, false)]
    [TestCase(1, 1, ulong.MaxValue, true)]
    [TestCase(3, 0, 0UL, false)]
    [TestCase(100, 32, 42UL, false)]
    public void Encode_Samples_ParsesToSameValues(int count, int joints, ulong seq, bool replay)
    {
        string[] names = WireTestData.TwelveJoints.Concat(Enumerable.Range(12, 20).Select(j => $"extra_{j}")).Take(joints).ToArray();
        TelemetrySample[] samples = WireTestData.Samples(count, joints);

        byte[] bytes = Encode(new BatchEncoder("robot-7", "boot-a1", names), seq, samples, replay);
        TelemetryBatch batch = TelemetryBatch.Parser.ParseFrom(bytes);

        Assert.Multiple(() =>
        {
            Assert.That(batch.RobotId, Is.EqualTo("robot-7"));
            Assert.That(batch.BootId, Is.EqualTo("boot-a1"));
            Assert.That(batch.Seq, Is.EqualTo(seq));
            Assert.That(batch.Replay, Is.EqualTo(replay));
            Assert.That(batch.SchemaVersion, Is.EqualTo(BatchEncoder.SchemaVersion));
            Assert.That(batch.SampleCount, Is.EqualTo((uint)count));
            Assert.That(batch.JointNames, Is.EqualTo(names));
            Assert.That(BatchDecoder.Validate(batch), Is.Null);
            Assert.That(bytes, Is.EqualTo(WireTestData.Expected("robot-7", "boot-a1", names, seq, samples, replay).ToByteArray()), "byte-identical to the generated serializer");
        });
        AssertSamplesEqual(BatchDecoder.ToSamples(batch), samples);
    }

    [Test]
    public void Encode_JointMajorLayout_PositionIndexIsJointTimesCountPlusSample()
    {
        TelemetrySample[] samples = WireTestData.Samples(100, 12);

        TelemetryBatch batch = TelemetryBatch.Parser.ParseFrom(Encode(new BatchEncoder("r", "b", WireTestData.TwelveJoints), 1, samples, false));

        Assert.That(batch.Position[(5 * 100) + 37], Is.EqualTo(samples[37].Position[5]));
        Assert.That(batch.Command[(11 * 100) + 99], Is.EqualTo(samples[99].Command[11]));
    }

    [Test]
    public void Encode_NaNNegativeAndExtremeValues_RoundTripBitExact()
    {
        TelemetrySample[] samples = WireTestData.Samples(4, 2);
        samples[0].MonotonicNs = long.MaxValue;
        samples[1].MonotonicNs = long.MinValue;
        samples[2].WallUnixNs = -1;
        samples[3].Overruns = long.MaxValue;
        samples[0].Position[0] = float.NaN;
        samples[1].Velocity[1] = float.NegativeInfinity;
        samples[2].Effort[0] = float.MaxValue;
        samples[3].Command[1] = -float.Epsilon;
        samples[0].BaseX = double.NaN;
        samples[1].BaseY = double.MinValue;
        samples[2].Tilt = -0f;
        samples[3].UplinkRttMs = float.PositiveInfinity;
        samples[0].SafetyState = 255;

        byte[] bytes = Encode(new BatchEncoder("r", "b", ["a", "b"]), 9, samples, false);

        AssertSamplesEqual(BatchDecoder.ToSamples(TelemetryBatch.Parser.ParseFrom(bytes)), samples);
        Assert.That(bytes, Is.EqualTo(WireTestData.Expected("r", "b", ["a", "b"], 9, samples, false).ToByteArray()));
    }

    [Test]
    public void Encode_JointCountDiffersFromSchema_Throws()
    {
        TelemetrySample[] samples = WireTestData.Samples(2, 3);

        Assert.That(
            () => new BatchEncoder("r", "b", WireTestData.TwelveJoints).Encode(0, samples, false, new ArrayBufferWriter<byte>()),
            Throws.ArgumentException.With.Message.Contains("3 joints"));
    }

    [Test]
    public void Encode_SteadyState_AllocatesNothing()
    {
        var encoder = new BatchEncoder("robot-7", "boot-a1", WireTestData.TwelveJoints);
        TelemetrySample[] samples = WireTestData.Samples(100, 12);
        var output = new ArrayBufferWriter<byte>();
        for (int k = 0; k < 50; k++)
        {
            output.ResetWrittenCount();
            encoder.Encode((ulong)k, samples, k % 2 == 0, output);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 1_000; k++)
        {
            output.ResetWrittenCount();
            encoder.Encode((ulong)k, samples, k % 2 == 0, output);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Constructor_TooManyJoints_Throws()
    {
        string[] names = Enumerable.Range(0, TelemetrySample.MaxJoints + 1).Select(j => $"j{j}").ToArray();

        Assert.That(() => new BatchEncoder("r", "b", names), Throws.ArgumentException.With.Message.Contains("at most 32 joints"));
    }

    internal static byte[] Encode(BatchEncoder encoder, ulong seq, TelemetrySample[] samples, bool replay)
    {
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(seq, samples, replay, output);
        return output.WrittenSpan.ToArray();
    }

    private static void AssertSamplesEqual(TelemetrySample[] actual, TelemetrySample[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
        {
            TelemetrySample a = actual[i], e = expected[i];
            float[] af = Floats(a), ef = Floats(e);
            Assert.Multiple(() =>
            {
                Assert.That((a.MonotonicNs, a.WallUnixNs, a.Overruns, a.JointCount), Is.EqualTo((e.MonotonicNs, e.WallUnixNs, e.Overruns, e.JointCount)), $"sample {i}");
                Assert.That((BitConverter.DoubleToInt64Bits(a.BaseX), BitConverter.DoubleToInt64Bits(a.BaseY)), Is.EqualTo((BitConverter.DoubleToInt64Bits(e.BaseX), BitConverter.DoubleToInt64Bits(e.BaseY))), $"sample {i}");
                Assert.That(af.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(ef.Select(BitConverter.SingleToInt32Bits)), $"sample {i} floats");
                Assert.That((a.SafetyState, a.SafetyCause), Is.EqualTo((e.SafetyState, e.SafetyCause)), $"sample {i}");
            });
        }
    }

    private static float[] Floats(TelemetrySample s)
    {
        var values = new List<float>();
        for (int j = 0; j < s.JointCount; j++)
        {
            values.AddRange([s.Position[j], s.Velocity[j], s.Effort[j], s.Command[j]]);
        }

        values.AddRange([s.BaseHeading, s.BaseVelocity, s.Tilt, s.TiltRate, s.BatteryLevel, s.BatteryVoltage, s.CpuPercent, s.UplinkRttMs]);
        return [.. values];
    }
}
