using System.Buffers.Binary;
using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Tests.Hal.Ros2.Messages.TestData;

namespace EdgeAgent.Tests.Hal.Ros2.Messages;

/// <summary>Malformed input gives the right status value, never an exception or an out-of-range read.</summary>
[TestFixture]
public sealed class CdrRobustnessTests
{
    // JointState12Le: header 0..3, sec 4..7, nanosec 8..11, frame_id length 12..15 (10), "base_link\0" 16..25,
    // padding 26..27, name count 28..31, first name length 32..35 ("joint_1\0" 36..43).
    private const int FrameLengthOffset = 12;
    private const int FrameTextOffset = 16;
    private const int NameCountOffset = 28;
    private const int FirstNameLengthOffset = 32;

    private static IEnumerable<string> VectorNames() => CdrSamples.All().Select(v => v.Name);

    private static byte[] JointState12() => CdrSamples.Hex(CycloneVectors.JointState12Le);

    private static CdrStatus DecodeJointState(byte[] bytes, int capacity = JointStateMessage.DefaultCapacity) =>
        JointStateMessage.Decode(bytes, new JointStateMessage(CdrSamples.Joints12, capacity));

    [TestCaseSource(nameof(VectorNames))]
    public void Decode_TruncatedAtEveryOffset_TruncatedOrLengthLimit(string name)
    {
        var vector = CdrSamples.All().Single(v => v.Name == name);
        int padding = vector.Le[3] & 3;
        foreach (var full in new[] { vector.Le, vector.Be })
        {
            for (int length = 0; length < full.Length; length++)
            {
                var status = vector.Decode(full.AsSpan(0, length));
                if (length >= full.Length - padding)
                {
                    Assert.That(status, Is.EqualTo(CdrStatus.Ok), $"only end padding cut, length {length}");
                }
                else
                {
                    Assert.That(status, Is.EqualTo(CdrStatus.Truncated).Or.EqualTo(CdrStatus.LengthLimit), $"length {length}");
                }
            }
        }
    }

    [TestCase(0x07)]
    [TestCase(0x09)]
    [TestCase(0x06)]
    [TestCase(0x08)]
    [TestCase(0x02)]
    [TestCase(0x03)]
    public void Decode_OtherEncapsulation_UnsupportedEncoding(int kind)
    {
        var bytes = JointState12();
        bytes[1] = (byte)kind;
        Assert.That(DecodeJointState(bytes), Is.EqualTo(CdrStatus.UnsupportedEncoding));
    }

    [Test]
    public void Decode_NonZeroFirstHeaderByte_UnsupportedEncoding()
    {
        var bytes = JointState12();
        bytes[0] = 1;
        Assert.That(DecodeJointState(bytes), Is.EqualTo(CdrStatus.UnsupportedEncoding));
    }

    [Test]
    public void Decode_OptionsBytesSet_Ignored()
    {
        var bytes = JointState12();
        bytes[2] = 0x12;
        bytes[3] = 0x37;
        Assert.That(DecodeJointState(bytes), Is.EqualTo(CdrStatus.Ok));
    }

    [TestCase(0xFFFFFFFFu)]
    [TestCase(0x7FFFFFFFu)]
    [TestCase(0x10000000u)]
    [TestCase(65u)]
    public void Decode_HugeNameCount_LengthLimit(uint count)
    {
        var bytes = JointState12();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(NameCountOffset), count);
        Assert.That(DecodeJointState(bytes), Is.EqualTo(CdrStatus.LengthLimit));
    }

    [Test]
    public void Decode_HugePositionCount_LengthLimit()
    {
        var m = new JointStateMessage(CdrSamples.Joints12);
        var bytes = JointState12();
        int positionCountOffset = CdrReader.HeaderSize + LastNameEndOffset(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(positionCountOffset), 0xFFFFFFF0u);
        Assert.That(JointStateMessage.Decode(bytes, m), Is.EqualTo(CdrStatus.LengthLimit));
    }

    [Test]
    public void Decode_MoreJointsThanCapacity_LengthLimit()
    {
        Assert.That(DecodeJointState(JointState12(), capacity: 11), Is.EqualTo(CdrStatus.LengthLimit));
        Assert.That(DecodeJointState(JointState12(), capacity: 12), Is.EqualTo(CdrStatus.Ok));
    }

    [Test]
    public void Decode_MoreCellsThanCapacity_LengthLimit()
    {
        var bytes = CdrSamples.Hex(CycloneVectors.BatteryStateLe);
        Assert.That(BatteryStateMessage.Decode(bytes, new BatteryStateMessage(cellCapacity: 2)), Is.EqualTo(CdrStatus.LengthLimit));
        Assert.That(BatteryStateMessage.Decode(bytes, new BatteryStateMessage(cellCapacity: 3)), Is.EqualTo(CdrStatus.Ok));
    }

    [Test]
    public void Decode_StringLongerThanInput_LengthLimit()
    {
        var bytes = JointState12();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(FrameLengthOffset), 0xFFFFFFFFu);
        Assert.That(DecodeJointState(bytes), Is.EqualTo(CdrStatus.LengthLimit));
    }

    [Test]
    public void Decode_ZeroStringLength_BadString()
    {
        var bytes = JointState12();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(FirstNameLengthOffset), 0);
        Assert.That(DecodeJointState(bytes), Is.EqualTo(CdrStatus.BadString));
    }

    [Test]
    public void Decode_MissingNul_BadString()
    {
        var bytes = JointState12();
        bytes[FrameTextOffset + 9] = (byte)'x';
        Assert.That(DecodeJointState(bytes), Is.EqualTo(CdrStatus.BadString));
    }

    [TestCase(new byte[] { 0xFF })]
    [TestCase(new byte[] { 0xC3, 0x28 })]
    [TestCase(new byte[] { 0xED, 0xA0, 0x80 })]
    public void Decode_NonUtf8_BadString(byte[] invalid)
    {
        var bytes = JointState12();
        invalid.CopyTo(bytes, FrameTextOffset);
        Assert.That(DecodeJointState(bytes), Is.EqualTo(CdrStatus.BadString));
    }

    [Test]
    public void Decode_Utf8FrameId_Ok()
    {
        var m = new JointStateMessage(CdrSamples.Joints12);
        m.Header.FrameId.Set("bäse");
        var buffer = new byte[CdrMessage.Measure(m)];
        Assert.That(m.Encode(buffer, out _), Is.EqualTo(CdrStatus.Ok));
        var back = new JointStateMessage(CdrSamples.Joints12);
        Assert.That(JointStateMessage.Decode(buffer, back), Is.EqualTo(CdrStatus.Ok));
        Assert.That(back.Header.FrameId.ToString(), Is.EqualTo("bäse"));
    }

    [TestCase(0)]
    [TestCase(3)]
    public void Decode_ShorterThanHeader_Truncated(int length)
    {
        Assert.That(DecodeJointState(new byte[length]), Is.EqualTo(CdrStatus.Truncated));
    }

    [Test]
    public void Reader_AfterFailure_ReturnsDefaultsAndKeepsFirstStatus()
    {
        byte[] bytes = [0, 1, 0, 0, 1, 2];
        Assert.That(CdrReader.Open(bytes, out var reader), Is.EqualTo(CdrStatus.Ok));
        Assert.That(reader.ReadInt32(), Is.Zero);
        Assert.That(reader.Status, Is.EqualTo(CdrStatus.Truncated));
        reader.Fail(CdrStatus.BadString);
        Assert.That(reader.ReadByte(), Is.Zero);
        Assert.That(reader.Status, Is.EqualTo(CdrStatus.Truncated));
    }

    [Test]
    public void Reader_Alignment_CountedFromEndOfHeader()
    {
        // byte 0x07, pad 3, int32 2, pad 0 (offset 8), double 1.0 (LE), big-endian variant below.
        byte[] le = [0, 1, 0, 0, 7, 0xEE, 0xEE, 0xEE, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F];
        Assert.That(CdrReader.Open(le, out var r), Is.EqualTo(CdrStatus.Ok));
        Assert.That((r.ReadByte(), r.ReadInt32(), r.ReadDouble()), Is.EqualTo(((byte)7, 2, 1.0)));
        Assert.That(r.Status, Is.EqualTo(CdrStatus.Ok));

        byte[] be = [0, 0, 0, 0, 7, 0xEE, 0xEE, 0xEE, 0, 0, 0, 2, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0];
        Assert.That(CdrReader.Open(be, out var b), Is.EqualTo(CdrStatus.Ok));
        Assert.That((b.ReadByte(), b.ReadInt32(), b.ReadDouble()), Is.EqualTo(((byte)7, 2, 1.0)));
    }

    // Body offset just past the last name of JointState12Le, i.e. where the position count sits.
    private static int LastNameEndOffset(byte[] bytes)
    {
        int offset = FirstNameLengthOffset - CdrReader.HeaderSize;
        for (int i = 0; i < 12; i++)
        {
            offset = (offset + 3) & ~3;
            offset += 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(CdrReader.HeaderSize + offset));
        }

        return (offset + 3) & ~3;
    }
}
