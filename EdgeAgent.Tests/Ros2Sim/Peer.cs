using EdgeAgent.Configuration;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Hal;

namespace EdgeAgent.Tests.Ros2Sim;

/// <summary>The test's side of the wire: a BEST_EFFORT joint state and IMU subscriber and a RELIABLE command publisher.</summary>
internal sealed class Peer : IDisposable
{
    private readonly DdsTopicDescriptor _jointStateType = new(Ros2TypeDescriptors.JointState);
    private readonly DdsTopicDescriptor _imuType = new(Ros2TypeDescriptors.Imu);
    private readonly DdsTopicDescriptor _commandType = new(Ros2TypeDescriptors.Float64MultiArray);
    private readonly DdsTopicDescriptor _batteryType = new(Ros2TypeDescriptors.BatteryState);
    private readonly DdsParticipant _participant;
    private readonly DdsRawReader _jointStates;
    private readonly DdsRawReader _imu;
    private readonly DdsRawReader _battery;
    private readonly DdsRawWriter _command;
    private readonly byte[] _buffer = new byte[8192];

    public Peer(AgentOptions options, uint? domainId = null)
    {
        Ros2Options ros2 = options.Hal.Ros2;
        JointState = new JointStateMessage(options.Robot.Joints.Select(j => j.Name).ToList());
        _participant = DdsParticipant.Create(domainId ?? Ros2SimTestEnvironment.DomainId);
        _jointStates = DdsRawReader.Create(_participant.CreateTopic(_jointStateType, Ros2Names.ToDdsTopic(ros2.JointStatesTopic)), Ros2Qos.SensorData);
        _imu = DdsRawReader.Create(_participant.CreateTopic(_imuType, Ros2Names.ToDdsTopic(ros2.ImuTopic)), Ros2Qos.SensorData);
        _battery = DdsRawReader.Create(_participant.CreateTopic(_batteryType, Ros2Names.ToDdsTopic(ros2.BatteryTopic)), Ros2Qos.SensorData);
        _command = DdsRawWriter.Create(_participant.CreateTopic(_commandType, Ros2Names.ToDdsTopic(ros2.CommandTopic)), Ros2Qos.Default);
    }

    /// <summary>Gets the last joint state decoded.</summary>
    public JointStateMessage JointState { get; }

    /// <summary>Gets the last IMU message decoded.</summary>
    public ImuMessage Imu { get; } = new();

    /// <summary>Gets the last battery message decoded.</summary>
    public BatteryStateMessage Battery { get; } = new();

    public bool JointStatesMatched => _jointStates.GetMatched(out var s) == DdsStatus.Ok && s.CurrentCount > 0;

    public bool CommandMatched => _command.GetMatched(out var s) == DdsStatus.Ok && s.CurrentCount > 0;

    /// <summary>Takes every waiting joint state; the last decodes into <see cref="JointState"/>. Returns how many decoded.</summary>
    public int TakeJointStates() => TakeAll(_jointStates, b => JointStateMessage.Decode(b, JointState));

    /// <summary>Takes every waiting IMU message; the last decodes into <see cref="Imu"/>.</summary>
    public int TakeImu() => TakeAll(_imu, b => ImuMessage.Decode(b, Imu));

    /// <summary>Takes every waiting battery message; the last decodes into <see cref="Battery"/>.</summary>
    public int TakeBattery() => TakeAll(_battery, b => BatteryStateMessage.Decode(b, Battery));

    public void WriteCommand(double[] efforts)
    {
        var message = new Float64MultiArrayMessage();
        Assert.That(message.Data.Set(efforts), Is.True);
        Assert.That(message.Encode(_buffer, out int written), Is.EqualTo(CdrStatus.Ok));
        Assert.That(_command.WriteCdr(_buffer.AsSpan(0, written)), Is.EqualTo(DdsStatus.Ok));
    }

    public void Dispose()
    {
        _participant.Dispose();
        _jointStateType.Dispose();
        _imuType.Dispose();
        _commandType.Dispose();
        _batteryType.Dispose();
    }

    private delegate CdrStatus Decoder(ReadOnlySpan<byte> sample);

    private int TakeAll(DdsRawReader reader, Decoder decode)
    {
        int decoded = 0;
        for (int i = 0; i < 10_000; i++)
        {
            int n = reader.TakeCdr(_buffer, out int length, out DdsSampleInfo info);
            if (n == 0)
            {
                break;
            }

            Assert.That(n, Is.EqualTo(1), "TakeCdr status");
            if (info.ValidData)
            {
                Assert.That(decode(_buffer.AsSpan(0, length)), Is.EqualTo(CdrStatus.Ok));
                decoded++;
            }
        }

        return decoded;
    }
}
