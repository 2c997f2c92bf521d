using System.Buffers;
using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Tests.Hal.Ros2.Messages.TestData;

namespace EdgeAgent.Tests.Hal.Ros2.Messages;

/// <summary>Byte-exact checks against XCDR1 produced by Cyclone DDS 0.10.2 (TestData/cdr_vectors.c).</summary>
[TestFixture]
public sealed class CdrKnownAnswerTests
{
    internal sealed record Case(string Name, string Le, string Be, Func<ICdrMessage> Empty, Func<ICdrMessage> Built)
    {
        public override string ToString() => Name;
    }

    private static IEnumerable<Case> Cases()
    {
        yield return new("JointState12", CycloneVectors.JointState12Le, CycloneVectors.JointState12Be, () => new JointStateMessage(CdrSamples.Joints12), CdrSamples.JointState12);
        yield return new("JointStateEmpty", CycloneVectors.JointStateEmptyLe, CycloneVectors.JointStateEmptyBe, () => new JointStateMessage(CdrSamples.Joints12), () => new JointStateMessage(CdrSamples.Joints12));
        for (int n = 1; n <= 5; n++)
        {
            int k = n;
            var le = (string)typeof(CycloneVectors).GetField($"JointStateFrame{k}Le")!.GetValue(null)!;
            var be = (string)typeof(CycloneVectors).GetField($"JointStateFrame{k}Be")!.GetValue(null)!;
            yield return new($"JointStateFrame{k}", le, be, () => new JointStateMessage(CdrSamples.OddNames), () => CdrSamples.JointStateFrame(k));
        }

        yield return new("Imu", CycloneVectors.ImuLe, CycloneVectors.ImuBe, () => new ImuMessage(), CdrSamples.Imu);
        yield return new("BatteryState", CycloneVectors.BatteryStateLe, CycloneVectors.BatteryStateBe, () => new BatteryStateMessage(), CdrSamples.Battery);
        yield return new("BatteryStateEmpty", CycloneVectors.BatteryStateEmptyLe, CycloneVectors.BatteryStateEmptyBe, () => new BatteryStateMessage(), CdrSamples.BatteryEmpty);
        yield return new("Float64MultiArray6", CycloneVectors.Float64MultiArray6Le, CycloneVectors.Float64MultiArray6Be, () => new Float64MultiArrayMessage(), () => CdrSamples.Float64MultiArray(1));
        yield return new("Float64MultiArray2Dims", CycloneVectors.Float64MultiArray2DimsLe, CycloneVectors.Float64MultiArray2DimsBe, () => new Float64MultiArrayMessage(), () => CdrSamples.Float64MultiArray(2));
        yield return new("Float64MultiArrayEmpty", CycloneVectors.Float64MultiArrayEmptyLe, CycloneVectors.Float64MultiArrayEmptyBe, () => new Float64MultiArrayMessage(), () => CdrSamples.Float64MultiArray(0));
        yield return new("JointTrajectory1", CycloneVectors.JointTrajectory1Le, CycloneVectors.JointTrajectory1Be, () => new JointTrajectoryMessage(), () => CdrSamples.Trajectory(1));
        yield return new("JointTrajectory2", CycloneVectors.JointTrajectory2Le, CycloneVectors.JointTrajectory2Be, () => new JointTrajectoryMessage(), () => CdrSamples.Trajectory(2));
        yield return new("JointTrajectoryEmpty", CycloneVectors.JointTrajectoryEmptyLe, CycloneVectors.JointTrajectoryEmptyBe, () => new JointTrajectoryMessage(), () => CdrSamples.Trajectory(0));
    }

    private static IEnumerable<string> CaseNames() => Cases().Select(c => c.Name);

    private static Case Find(string name) => Cases().Single(c => c.Name == name);

    private static string EncodeHex(ICdrMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.That(CdrMessage.Encode(message, output), Is.EqualTo(CdrStatus.Ok));
        return Convert.ToHexStringLower(output.WrittenSpan);
    }

    [TestCaseSource(nameof(CaseNames))]
    public void Encode_BuiltMessage_MatchesCycloneBytes(string name)
    {
        var c = Find(name);
        Assert.That(EncodeHex(c.Built()), Is.EqualTo(c.Le));
    }

    [TestCaseSource(nameof(CaseNames))]
    public void Encode_IntoSpan_MatchesMeasureAndCycloneBytes(string name)
    {
        var c = Find(name);
        var message = c.Built();
        var buffer = new byte[CdrMessage.Measure(message)];
        Assert.That(CdrMessage.Encode(message, buffer, out int written), Is.EqualTo(CdrStatus.Ok));
        Assert.That(written, Is.EqualTo(buffer.Length));
        Assert.That(Convert.ToHexStringLower(buffer), Is.EqualTo(c.Le));
        Assert.That(CdrMessage.Encode(message, buffer.AsSpan(0, buffer.Length - 1), out written), Is.EqualTo(CdrStatus.BufferTooSmall));
        Assert.That(written, Is.Zero);
    }

    [TestCaseSource(nameof(CaseNames))]
    public void Decode_CycloneLittleEndian_ReencodesToSameBytes(string name)
    {
        var c = Find(name);
        var message = c.Empty();
        Assert.That(CdrMessage.Decode(Convert.FromHexString(c.Le), message), Is.EqualTo(CdrStatus.Ok));
        Assert.That(EncodeHex(message), Is.EqualTo(c.Le));
    }

    [TestCaseSource(nameof(CaseNames))]
    public void Decode_CycloneBigEndian_EqualsLittleEndianDecode(string name)
    {
        var c = Find(name);
        var message = c.Empty();
        Assert.That(CdrMessage.Decode(Convert.FromHexString(c.Be), message), Is.EqualTo(CdrStatus.Ok));
        Assert.That(EncodeHex(message), Is.EqualTo(c.Le));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Decode_JointState12_FieldsAndNameIndices(bool bigEndian)
    {
        var m = new JointStateMessage(CdrSamples.Joints12.Reverse().ToArray());
        var bytes = CdrSamples.Hex(bigEndian ? CycloneVectors.JointState12Be : CycloneVectors.JointState12Le);

        Assert.That(JointStateMessage.Decode(bytes, m), Is.EqualTo(CdrStatus.Ok));

        Assert.That(m.Header.Stamp, Is.EqualTo(new RosTime(1700000000, 123456789u)));
        Assert.That(m.Header.FrameId.ToString(), Is.EqualTo("base_link"));
        Assert.That(m.JointIndices.ToArray(), Is.EqualTo(Enumerable.Range(0, 12).Select(i => 11 - i).ToArray()));
        Assert.That(m.UnmatchedCount, Is.Zero);
        Assert.That(m.Position.Span.ToArray(), Is.EqualTo(Enumerable.Range(0, 12).Select(i => (0.1 * (i + 1)) - 0.5).ToArray()));
        Assert.That(m.Velocity.Count, Is.Zero);
        Assert.That(m.Effort.Span[11], Is.EqualTo(-24.75));
    }

    [Test]
    public void Decode_JointStateUnknownNames_CountsUnmatched()
    {
        var m = new JointStateMessage(["bb", "x"]);
        Assert.That(JointStateMessage.Decode(CdrSamples.Hex(CycloneVectors.JointStateFrame1Le), m), Is.EqualTo(CdrStatus.Ok));
        Assert.That(m.JointIndices.ToArray(), Is.EqualTo(new[] { -1, 0, -1, -1, -1 }));
        Assert.That(m.UnmatchedCount, Is.EqualTo(4));
        Assert.That(m.Header.Stamp, Is.EqualTo(new RosTime(-1, 999999999u)));
        Assert.That(m.Encode(new ArrayBufferWriter<byte>()), Is.EqualTo(CdrStatus.UnknownName));
    }

    [Test]
    public void Decode_Imu_Fields()
    {
        var m = new ImuMessage();
        Assert.That(ImuMessage.Decode(CdrSamples.Hex(CycloneVectors.ImuBe), m), Is.EqualTo(CdrStatus.Ok));
        Assert.That(m.Header.FrameId.ToString(), Is.EqualTo("imu_link"));
        Assert.That(m.Orientation, Is.EqualTo(new[] { 0.1, -0.2, 0.3, 0.9273618495495704 }));
        Assert.That(m.LinearAcceleration[2], Is.EqualTo(9.80665));
        Assert.That(m.LinearAccelerationCovariance[0], Is.EqualTo(-1.0));
        Assert.That(m.AngularVelocityCovariance[8], Is.EqualTo(-4.0));
    }

    [Test]
    public void Decode_BatteryState_Fields()
    {
        var m = new BatteryStateMessage();
        Assert.That(BatteryStateMessage.Decode(CdrSamples.Hex(CycloneVectors.BatteryStateBe), m), Is.EqualTo(CdrStatus.Ok));
        Assert.That((m.Voltage, m.Current, m.DesignCapacity, m.Percentage), Is.EqualTo((12.3f, -1.75f, 5.2f, 0.5f)));
        Assert.That((m.PowerSupplyStatus, m.PowerSupplyHealth, m.PowerSupplyTechnology, m.Present), Is.EqualTo(((byte)2, (byte)1, (byte)3, true)));
        Assert.That(m.CellVoltage.Span.ToArray(), Is.EqualTo(new[] { 4.1f, 4.15f, 4.05f }));
        Assert.That(m.CellTemperature.Span.ToArray(), Is.EqualTo(new[] { 25.5f, 26.0f }));
        Assert.That(m.Location.ToString(), Is.EqualTo("slot0"));
        Assert.That(m.SerialNumber.ToString(), Is.EqualTo("SN-1234"));
    }

    [Test]
    public void Decode_JointTrajectory2_Fields()
    {
        var m = new JointTrajectoryMessage();
        Assert.That(JointTrajectoryMessage.Decode(CdrSamples.Hex(CycloneVectors.JointTrajectory2Le), m), Is.EqualTo(CdrStatus.Ok));
        Assert.That(m.JointNames.Take(m.JointNameCount).Select(n => n.ToString()), Is.EqualTo(CdrSamples.TrajectoryJoints));
        Assert.That(m.PointCount, Is.EqualTo(2));
        Assert.That(m.Points[0].Positions.Span.ToArray(), Is.EqualTo(CdrSamples.TrajectoryP));
        Assert.That(m.Points[0].TimeFromStart, Is.EqualTo(new RosTime(0, 500000000u)));
        Assert.That(m.Points[1].Accelerations.Span.ToArray(), Is.EqualTo(new[] { 0.1, -1.2 }));
        Assert.That(m.Points[1].Effort.Count, Is.EqualTo(1));
    }

    [Test]
    public void Decode_Float64MultiArray2Dims_Fields()
    {
        var m = new Float64MultiArrayMessage();
        Assert.That(Float64MultiArrayMessage.Decode(CdrSamples.Hex(CycloneVectors.Float64MultiArray2DimsBe), m), Is.EqualTo(CdrStatus.Ok));
        Assert.That(m.DimensionCount, Is.EqualTo(2));
        Assert.That((m.Dimensions[1].Label.ToString(), m.Dimensions[1].Size, m.Dimensions[1].Stride), Is.EqualTo(("xyz", 3u, 1u)));
        Assert.That(m.DataOffset, Is.EqualTo(3u));
        Assert.That(m.Data.Span.ToArray(), Is.EqualTo(new[] { 0.0, 0.5, -1.0 }));
    }

    [TestCase("/joint_states", "rt/joint_states")]
    [TestCase("joint_states", "rt/joint_states")]
    [TestCase("/forward_position_controller/commands", "rt/forward_position_controller/commands")]
    public void ToDdsTopic_RosTopic_PrefixedWithRt(string ros, string dds)
    {
        Assert.That(Ros2Names.ToDdsTopic(ros), Is.EqualTo(dds));
    }

    [TestCase("sensor_msgs/msg/JointState", "sensor_msgs::msg::dds_::JointState_")]
    [TestCase("std_msgs/msg/Float64MultiArray", "std_msgs::msg::dds_::Float64MultiArray_")]
    public void ToDdsType_RosType_Mangled(string ros, string dds)
    {
        Assert.That(Ros2Names.ToDdsType(ros), Is.EqualTo(dds));
    }

    [TestCase("JointState")]
    [TestCase("sensor_msgs//JointState")]
    public void ToDdsType_Malformed_Throws(string ros)
    {
        Assert.That(() => Ros2Names.ToDdsType(ros), Throws.ArgumentException);
    }
}
