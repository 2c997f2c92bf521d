using EdgeAgent.Hal;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Tests.Hal.Ros2.Dds;

namespace EdgeAgent.Tests.Hal.Ros2.Driver;

/// <summary>The ROS 2 driver's decoding and validation from CDR bytes, without DDS (Ros2StateDecoder).</summary>
public sealed class Ros2StateDecoderTests
{
    private const long WallNs = 1_700_000_000_000_000_000L;
    private static readonly string[] Names = ["left_wheel", "right_wheel"];

    private SimulatedClock _clock = null!;
    private LatestStateBuffer _latest = null!;
    private Ros2StateDecoder _decoder = null!;

    [SetUp]
    public void SetUp()
    {
        _clock = new SimulatedClock(5_000_000_000);
        _latest = new LatestStateBuffer(Names.Length);
        var options = new Ros2HalOptions { JointNames = Names, WallClockNs = () => WallNs };
        options.Validate();
        _decoder = new Ros2StateDecoder(options, _clock, _latest);
    }

    [Test]
    public void JointState_ReorderedNames_MappedToConfiguredOrderAndStampedByAge()
    {
        // 2 ms old, names in the other order, no velocity (not measured), efforts given.
        _decoder.OnJointState(JointState(ageNs: 2_000_000, ["right_wheel", "left_wheel"], [2.0, 1.0], [], [0.2, 0.1]));

        RobotState state = _latest.Acquire();
        Assert.Multiple(() =>
        {
            Assert.That(_decoder.AcceptedJointStates, Is.EqualTo(1));
            Assert.That(state.Sequence, Is.EqualTo(1));
            Assert.That(state.Position.ToArray(), Is.EqualTo(new[] { 1.0, 2.0 }));
            Assert.That(state.Velocity.ToArray(), Is.EqualTo(new[] { 0.0, 0.0 }));
            Assert.That(state.Effort.ToArray(), Is.EqualTo(new[] { 0.1, 0.2 }));
            Assert.That(state.StampNs, Is.EqualTo(5_000_000_000 - 2_000_000), "monotonic now minus the age");
        });
    }

    [TestCase("length", Ros2RejectCause.LengthMismatch)]
    [TestCase("unknown", Ros2RejectCause.UnknownJoint)]
    [TestCase("twice", Ros2RejectCause.MissingJoint)]
    [TestCase("nan", Ros2RejectCause.NonFinite)]
    [TestCase("old", Ros2RejectCause.FromPast)]
    [TestCase("future", Ros2RejectCause.FromFuture)]
    [TestCase("garbage", Ros2RejectCause.Malformed)]
    public void JointState_Bad_RejectedWithItsCauseAndNothingPublished(string kind, Ros2RejectCause cause)
    {
        byte[] sample = kind switch
        {
            "length" => JointState(0, Names, [1.0], [], []),
            "unknown" => JointState(0, ["left_wheel", "tail"], [1.0, 2.0], [], []),
            "twice" => JointState(0, ["left_wheel", "left_wheel"], [1.0, 2.0], [], []),
            "nan" => JointState(0, Names, [1.0, double.NaN], [], []),
            "old" => JointState(600_000_000, Names, [1.0, 2.0], [], []),
            "future" => JointState(-200_000_000, Names, [1.0, 2.0], [], []),
            _ => [0x00, 0x01, 0x00, 0x00, 0xFF, 0xFF],
        };

        _decoder.OnJointState(sample);

        Assert.Multiple(() =>
        {
            Assert.That(_decoder.Rejected(cause), Is.EqualTo(1));
            Assert.That(_decoder.RejectedTotal, Is.EqualTo(1), "one cause per sample: the first failing rule");
            Assert.That(_decoder.AcceptedJointStates, Is.Zero);
            Assert.That(_latest.Acquire().Sequence, Is.Zero, "nothing reached the loops");
        });
    }

    [Test]
    public void Imu_Pitch_FromTheQuaternionAndRidesOnTheNextState()
    {
        var imu = new ImuMessage();
        long stamp = WallNs - 1_000_000;
        imu.Header.Stamp = new RosTime((int)(stamp / 1_000_000_000), (uint)(stamp % 1_000_000_000));
        imu.Orientation[1] = Math.Sin(0.15);
        imu.Orientation[3] = Math.Cos(0.15);
        imu.AngularVelocity[1] = 0.7;
        var bytes = new System.Buffers.ArrayBufferWriter<byte>();
        CdrMessage.Encode(imu, bytes);

        _decoder.OnImu(bytes.WrittenSpan);

        ImuReading reading = _latest.Acquire().Imu;
        Assert.Multiple(() =>
        {
            Assert.That(_decoder.AcceptedImu, Is.EqualTo(1));
            Assert.That(reading.Valid, Is.True);
            Assert.That(reading.TiltRad, Is.EqualTo(0.3).Within(1e-9), "pitch of a rotation of 0.3 rad about y");
            Assert.That(reading.TiltRateRadPerSec, Is.EqualTo(0.7));
        });
    }

    [Test]
    public void Imu_ZeroQuaternion_RejectedMalformed()
    {
        var imu = new ImuMessage();
        imu.Header.Stamp = new RosTime((int)(WallNs / 1_000_000_000), 0);
        var bytes = new System.Buffers.ArrayBufferWriter<byte>();
        CdrMessage.Encode(imu, bytes);

        _decoder.OnImu(bytes.WrittenSpan);

        Assert.That(_decoder.Rejected(Ros2RejectCause.Malformed), Is.EqualTo(1));
    }

    [Test]
    public void JointState_ThousandSamples_AllocateNothing()
    {
        byte[] sample = JointState(0, Names, [1.0, 2.0], [0.1, 0.2], []);
        _decoder.OnJointState(sample);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            _decoder.OnJointState(sample);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(_decoder.AcceptedJointStates, Is.EqualTo(1001));
    }

    private static byte[] JointState(long ageNs, string[] names, double[] position, double[] velocity, double[] effort)
    {
        long stamp = WallNs - ageNs;
        return CdrTestWriter.JointState((int)(stamp / 1_000_000_000), (uint)(stamp % 1_000_000_000), "base_link", names, position, velocity, effort);
    }
}
