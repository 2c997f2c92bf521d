using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Tests.Hal.Ros2.Messages;

/// <summary>diagnostic_msgs/DiagnosticArray: encode and decode agree, and malformed input is refused with a status.</summary>
public sealed class DiagnosticArrayMessageTests
{
    [Test]
    public void EncodeDecode_RoundTrip_EveryField()
    {
        var message = Sample();
        var bytes = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.That(CdrMessage.Encode(message, bytes), Is.EqualTo(CdrStatus.Ok));

        var back = new DiagnosticArrayMessage();
        Assert.That(CdrMessage.Decode(bytes.WrittenSpan, back), Is.EqualTo(CdrStatus.Ok));

        Assert.Multiple(() =>
        {
            Assert.That(back.Header.Stamp, Is.EqualTo(new RosTime(1_700_000_000, 5)));
            Assert.That(back.Status, Has.Count.EqualTo(2));
            Assert.That(back.Status[0].Level, Is.EqualTo(DiagnosticLevel.Warn));
            Assert.That(back.Status[0].Name, Is.EqualTo("edge_agent: motor loop"));
            Assert.That(back.Status[0].Message, Is.EqualTo("wake-up error p99 600 µs"));
            Assert.That(back.Status[0].Values, Is.EqualTo(message.Status[0].Values));
            Assert.That(back.Status[1].Values, Is.Empty);
            Assert.That(back.Status[1].HardwareId, Is.Empty);
        });
    }

    [Test]
    public void Decode_TruncatedAnywhere_NeverOkNeverThrows()
    {
        var bytes = new System.Buffers.ArrayBufferWriter<byte>();
        CdrMessage.Encode(Sample(), bytes);
        byte[] full = bytes.WrittenSpan.ToArray();

        for (int length = 0; length < full.Length - 3; length++)
        {
            var status = CdrMessage.Decode(full.AsSpan(0, length), new DiagnosticArrayMessage());
            Assert.That(status, Is.Not.EqualTo(CdrStatus.Ok), $"length {length} of {full.Length}");
        }
    }

    [Test]
    public void Decode_HugeStatusCount_LengthLimitWithoutAllocatingIt()
    {
        // Header (stamp, empty frame id), then a status count of 2^31 with nothing behind it.
        byte[] bytes = [0x00, 0x01, 0x00, 0x00, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80];

        Assert.That(CdrMessage.Decode(bytes, new DiagnosticArrayMessage()), Is.EqualTo(CdrStatus.LengthLimit));
    }

    private static DiagnosticArrayMessage Sample()
    {
        var message = new DiagnosticArrayMessage();
        message.Header.Stamp = new RosTime(1_700_000_000, 5);
        message.Status.Add(new DiagnosticStatus(DiagnosticLevel.Warn, "edge_agent: motor loop", "wake-up error p99 600 µs", "robot-1", [new("rate_hz", "1000.0"), new("overruns", "0")]));
        message.Status.Add(new DiagnosticStatus(DiagnosticLevel.Ok, "edge_agent: uplink", "5 acked", string.Empty, []));
        return message;
    }
}
