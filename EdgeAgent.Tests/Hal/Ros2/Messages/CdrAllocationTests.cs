using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Tests.Hal.Ros2.Messages.TestData;

namespace EdgeAgent.Tests.Hal.Ros2.Messages;

/// <summary>Steady-state decode allocates nothing.</summary>
[TestFixture]
public sealed class CdrAllocationTests
{
    [Test]
    public void Decode_JointState12TenThousandTimes_AllocatesZeroBytes()
    {
        var bytes = CdrSamples.Hex(CycloneVectors.JointState12Le);
        var message = new JointStateMessage(CdrSamples.Joints12);
        for (int i = 0; i < 1000; i++)
        {
            _ = JointStateMessage.Decode(bytes, message);
        }

        int failures = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            failures += JointStateMessage.Decode(bytes, message) == CdrStatus.Ok ? 0 : 1;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(failures, Is.Zero);
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void Decode_BigEndianAndOtherMessages_AllocatesZeroBytes()
    {
        var vectors = CdrSamples.All().ToArray();
        foreach (var v in vectors)
        {
            _ = v.Decode(v.Le);
            _ = v.Decode(v.Be);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            foreach (var v in vectors)
            {
                _ = v.Decode(v.Le);
                _ = v.Decode(v.Be);
            }
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Encode_IntoSpan_AllocatesZeroBytes()
    {
        var message = CdrSamples.Trajectory(1);
        var buffer = new byte[4096];
        _ = message.Encode(buffer, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            _ = message.Encode(buffer, out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
