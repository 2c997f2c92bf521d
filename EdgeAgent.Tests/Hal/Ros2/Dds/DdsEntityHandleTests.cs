using System.Diagnostics;
using EdgeAgent.Hal.Ros2.Dds;

namespace EdgeAgent.Tests.Hal.Ros2.Dds;

public class DdsEntityHandleTests
{
    [Test]
    public void Dispose_ChildAfterParent_IsHarmless()
    {
        using var descriptor = new DdsTopicDescriptor(Ros2TypeDescriptors.JointState);
        var participant = DdsParticipant.Create(DdsTestEnvironment.DomainId);
        var topic = participant.CreateTopic(descriptor, "rt/dispose_order");
        var reader = DdsRawReader.Create(topic, Ros2Qos.SensorData);
        var writer = DdsRawWriter.Create(topic, Ros2Qos.Default);

        participant.Dispose();
        Assert.That(participant.Handle.DeleteStatus, Is.EqualTo(DdsStatus.Ok));
        Assert.DoesNotThrow(() =>
        {
            writer.Dispose();
            reader.Dispose();
            topic.Dispose();
        });
        Assert.That(reader.Handle.IsClosed, Is.True);
    }

    [Test]
    public void Dispose_ChildBeforeParent_DeletesBothOk()
    {
        using var descriptor = new DdsTopicDescriptor(Ros2TypeDescriptors.JointState);
        var participant = DdsParticipant.Create(DdsTestEnvironment.DomainId);
        var topic = participant.CreateTopic(descriptor, "rt/dispose_children_first");
        var reader = DdsRawReader.Create(topic, Ros2Qos.SensorData);

        reader.Dispose();
        topic.Dispose();
        participant.Dispose();

        Assert.That(new[] { reader.Handle.DeleteStatus, topic.Handle.DeleteStatus, participant.Handle.DeleteStatus },
            Is.All.EqualTo(DdsStatus.Ok));
    }

    [Test]
    [Category("Stress")]
    public void CreateDispose_200Participants_NoLeak()
    {
        using var descriptor = new DdsTopicDescriptor(Ros2TypeDescriptors.JointState);
        WarmUp(descriptor);
        var baselineHandles = DdsEntityHandle.LiveCount;
        var baselineFds = OpenFileDescriptors();
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < 200 && clock.Elapsed < TimeSpan.FromSeconds(60); i++)
        {
            var participant = DdsParticipant.Create(DdsTestEnvironment.DomainId);
            var topic = participant.CreateTopic(descriptor, "rt/leak_check");
            topic.Dispose();
            participant.Dispose();
            Assert.That(topic.Handle.DeleteStatus, Is.EqualTo(DdsStatus.Ok), $"iteration {i}");
            Assert.That(participant.Handle.DeleteStatus, Is.EqualTo(DdsStatus.Ok), $"iteration {i}");
        }

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "200 create/dispose cycles took too long");
        Assert.That(DdsEntityHandle.LiveCount, Is.EqualTo(baselineHandles));
        // Cyclone tears the domain down with its last participant: sockets and pipes go back to the baseline.
        Assert.That(OpenFileDescriptors(), Is.LessThanOrEqualTo(baselineFds + 2));
    }

    private static void WarmUp(DdsTopicDescriptor descriptor)
    {
        using var participant = DdsParticipant.Create(DdsTestEnvironment.DomainId);
        using var topic = participant.CreateTopic(descriptor, "rt/leak_check");
    }

    private static int OpenFileDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
}
