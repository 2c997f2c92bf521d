using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Hal.Ros2;

/// <summary>
/// The DDS entities of the ROS 2 HAL: one participant, the three state topics with their readers and the command
/// topic with its writer. Created together (a failure part-way deletes what was made) and deleted together.
/// </summary>
internal sealed class Ros2HalEntities : IDisposable
{
    private readonly List<DdsTopicDescriptor> _descriptors = [];
    private readonly List<DdsTopic> _topics = [];
    private DdsParticipant? _participant;

    private Ros2HalEntities()
    {
    }

    /// <summary>Gets the sensor_msgs/JointState reader.</summary>
    public DdsRawReader JointReader { get; private set; } = null!;

    /// <summary>Gets the sensor_msgs/Imu reader.</summary>
    public DdsRawReader ImuReader { get; private set; } = null!;

    /// <summary>Gets the sensor_msgs/BatteryState reader.</summary>
    public DdsRawReader BatteryReader { get; private set; } = null!;

    /// <summary>Gets the command writer (Float64MultiArray or JointTrajectory, per the command mode).</summary>
    public DdsRawWriter Writer { get; private set; } = null!;

    /// <summary>Creates the entities on <paramref name="domainId"/>.</summary>
    /// <param name="options">The driver options (topics, command mode).</param>
    /// <param name="domainId">The DDS domain.</param>
    /// <param name="stateQos">The readers' QoS.</param>
    /// <param name="commandQos">The writer's QoS.</param>
    /// <returns>The entities.</returns>
    /// <exception cref="InvalidOperationException">DDS refused one: the message names the domain and the topics.</exception>
    public static Ros2HalEntities Create(Ros2HalOptions options, uint domainId, Ros2Qos stateQos, Ros2Qos commandQos)
    {
        var entities = new Ros2HalEntities();
        try
        {
            entities._participant = DdsParticipant.Create(domainId);
            entities.JointReader = DdsRawReader.Create(entities.Topic(Ros2TypeDescriptors.JointState, options.JointStatesTopic), stateQos);
            entities.ImuReader = DdsRawReader.Create(entities.Topic(Ros2TypeDescriptors.Imu, options.ImuTopic), stateQos);
            entities.BatteryReader = DdsRawReader.Create(entities.Topic(Ros2TypeDescriptors.BatteryState, options.BatteryTopic), stateQos);
            var commandType = options.CommandMode == Ros2HalCommandMode.ForwardCommand
                ? Ros2TypeDescriptors.Float64MultiArray
                : Ros2TypeDescriptors.JointTrajectory;
            entities.Writer = DdsRawWriter.Create(entities.Topic(commandType, options.CommandTopic), commandQos);
            return entities;
        }
        catch (Exception ex)
        {
            entities.Dispose();
            if (ex is not DdsException)
            {
                throw;
            }

            throw new InvalidOperationException(
                $"hal.driver ros2: could not create the DDS entities on domain {domainId} " +
                $"(topics {options.JointStatesTopic}, {options.ImuTopic}, {options.BatteryTopic}, {options.CommandTopic}): {ex.Message}",
                ex);
        }
    }

    /// <summary>Deletes the writer, the readers, the topics, the participant and the type descriptors, in that order.</summary>
    public void Dispose()
    {
        Writer?.Dispose();
        JointReader?.Dispose();
        ImuReader?.Dispose();
        BatteryReader?.Dispose();
        foreach (var topic in _topics)
        {
            topic.Dispose();
        }

        _participant?.Dispose();
        foreach (var descriptor in _descriptors)
        {
            descriptor.Dispose();
        }

        _topics.Clear();
        _descriptors.Clear();
        _participant = null;
    }

    private DdsTopic Topic(DdsTypeDefinition type, string rosTopic)
    {
        var descriptor = new DdsTopicDescriptor(type);
        _descriptors.Add(descriptor);
        var topic = _participant!.CreateTopic(descriptor, Ros2Names.ToDdsTopic(rosTopic));
        _topics.Add(topic);
        return topic;
    }
}
