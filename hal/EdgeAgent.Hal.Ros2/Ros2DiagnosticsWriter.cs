using System.Buffers;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Hal.Ros2;

/// <summary>
/// Publishes <c>diagnostic_msgs/msg/DiagnosticArray</c> on a ROS 2 topic (<c>/diagnostics</c>) with its own DDS
/// participant on the HAL's domain, so a HAL restart or failure never takes the diagnostics down with it and
/// the control loops' participant is not shared with a 1 Hz publisher. QoS as diagnostic_updater's publisher:
/// RELIABLE, KEEP_LAST 1, VOLATILE (depth 1: a slow <c>ros2 topic echo</c> never blocks the writer; each array is
/// a complete picture). Single-threaded: one caller publishes.
/// </summary>
internal sealed class Ros2DiagnosticsWriter : IDisposable
{
    /// <summary>The QoS of the publisher (diagnostic_updater: depth 1, reliable).</summary>
    public static readonly Ros2Qos Qos = Ros2Qos.SystemDefault;

    private readonly DdsTopicDescriptor _descriptor;
    private readonly DdsParticipant _participant;
    private readonly DdsTopic _topic;
    private readonly DdsRawWriter _writer;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    private Ros2DiagnosticsWriter(DdsTopicDescriptor descriptor, DdsParticipant participant, DdsTopic topic, DdsRawWriter writer, string rosTopic)
    {
        _descriptor = descriptor;
        _participant = participant;
        _topic = topic;
        _writer = writer;
        RosTopic = rosTopic;
    }

    /// <summary>Gets the ROS topic name, such as <c>/diagnostics</c>.</summary>
    public string RosTopic { get; }

    /// <summary>Gets the DDS domain.</summary>
    public uint DomainId => _participant.DomainId;

    /// <summary>Gets the number of arrays written.</summary>
    public long Published { get; private set; }

    /// <summary>Gets the number of arrays DDS refused (logged by the caller).</summary>
    public long Failures { get; private set; }

    /// <summary>Creates the participant, topic and writer.</summary>
    /// <param name="domainId">The DDS domain (the HAL's).</param>
    /// <param name="rosTopic">The ROS topic, such as <c>/diagnostics</c>.</param>
    /// <returns>The writer.</returns>
    /// <exception cref="InvalidOperationException">libddsc cannot be loaded or an entity cannot be created; the message says which and how to fix it.</exception>
    public static Ros2DiagnosticsWriter Create(uint domainId, string rosTopic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rosTopic);
        if (!DdsLibrary.TryLoad(out var error))
        {
            throw new InvalidOperationException(Ros2RobotHal.BuildLoadError(error));
        }

        var descriptor = new DdsTopicDescriptor(Ros2TypeDescriptors.DiagnosticArray);
        DdsParticipant? participant = null;
        DdsTopic? topic = null;
        try
        {
            participant = DdsParticipant.Create(domainId);
            topic = participant.CreateTopic(descriptor, Ros2Names.ToDdsTopic(rosTopic));
            var writer = DdsRawWriter.Create(topic, Qos);
            return new Ros2DiagnosticsWriter(descriptor, participant, topic, writer, rosTopic);
        }
        catch (Exception ex) when (ex is DdsException or ArgumentException)
        {
            topic?.Dispose();
            participant?.Dispose();
            descriptor.Dispose();
            throw new InvalidOperationException($"hal.ros2.diagnostics_topic: could not publish {rosTopic} on DDS domain {domainId}: {ex.Message}", ex);
        }
    }

    /// <summary>Encodes and writes one array.</summary>
    /// <param name="message">The array.</param>
    /// <returns>Ok, or why the array was not written.</returns>
    public DdsStatus Publish(DiagnosticArrayMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _buffer.ResetWrittenCount();
        if (CdrMessage.Encode(message, _buffer) != CdrStatus.Ok)
        {
            Failures++;
            return DdsStatus.BadParameter;
        }

        var status = _writer.WriteCdr(_buffer.WrittenSpan);
        if (status == DdsStatus.Ok)
        {
            Published++;
        }
        else
        {
            Failures++;
        }

        return status;
    }

    /// <summary>Gets how many readers are matched now (0 when the status cannot be read).</summary>
    /// <returns>The matched readers.</returns>
    public int MatchedReaders() => _writer.GetMatched(out var matched) == DdsStatus.Ok ? (int)matched.CurrentCount : 0;

    /// <inheritdoc />
    public void Dispose()
    {
        _writer.Dispose();
        _topic.Dispose();
        _participant.Dispose();
        _descriptor.Dispose();
    }
}
