using EdgeAgent.Hal.Ros2.Dds;

namespace EdgeAgent.Tests.Hal.Ros2.Dds;

/// <summary>
/// One topic of a ROS 2 type on this process's test domain with a raw reader and writer on it (both matched
/// before the constructor returns): the set-up most DDS tests share. Disposes everything in reverse order.
/// </summary>
internal sealed class DdsLoopback : IDisposable
{
    private readonly DdsTopicDescriptor _descriptor;

    /// <summary>Initializes a new instance of the <see cref="DdsLoopback"/> class.</summary>
    /// <param name="type">The type, such as <see cref="Ros2TypeDescriptors.JointState"/>.</param>
    /// <param name="topic">The DDS topic name, such as <c>rt/joint_states_roundtrip</c>.</param>
    /// <param name="readerQos">The reader's QoS, or null for no reader.</param>
    /// <param name="writerQos">The writer's QoS.</param>
    /// <param name="waitForMatch">Whether to wait until the writer sees the reader.</param>
    public DdsLoopback(DdsTypeDefinition type, string topic, Ros2Qos? readerQos, Ros2Qos writerQos, bool waitForMatch = true)
    {
        _descriptor = new DdsTopicDescriptor(type);
        Participant = DdsParticipant.Create(DdsTestEnvironment.DomainId);
        Topic = Participant.CreateTopic(_descriptor, topic);
        Reader = readerQos is null ? null : DdsRawReader.Create(Topic, readerQos);
        Writer = DdsRawWriter.Create(Topic, writerQos);
        if (waitForMatch && Reader is not null)
        {
            DdsRawCdrTests.WaitForMatch(Writer);
        }
    }

    public DdsParticipant Participant { get; }

    public DdsTopic Topic { get; }

    public DdsRawReader? Reader { get; }

    public DdsRawWriter Writer { get; }

    public void Dispose()
    {
        Writer.Dispose();
        Reader?.Dispose();
        Topic.Dispose();
        Participant.Dispose();
        _descriptor.Dispose();
    }
}
