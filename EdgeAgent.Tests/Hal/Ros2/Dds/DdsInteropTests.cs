using System.Diagnostics;
using EdgeAgent.Hal.Ros2.Dds;

namespace EdgeAgent.Tests.Hal.Ros2.Dds;

/// <summary>A C publisher with idlc-generated types (native/jointstate_pub.c) and our raw CDR reader.</summary>
public class DdsInteropTests
{
    [Test]
    public void TakeCdr_JointStateFromCyclonePeer_DecodesNamesAndValues()
    {
        var dir = DdsTestEnvironment.CreateTempDirectory();
        try
        {
            var publisher = DdsTestEnvironment.BuildNative("jointstate_pub", dir);
            using var descriptor = new DdsTopicDescriptor(Ros2TypeDescriptors.JointState);
            using var participant = DdsParticipant.Create(DdsTestEnvironment.DomainId);
            using var topic = participant.CreateTopic(descriptor, "rt/joint_states");
            using var reader = DdsRawReader.Create(topic, Ros2Qos.Default);

            var peer = Task.Run(() => DdsTestEnvironment.Run(
                publisher, DdsTestEnvironment.DomainId.ToString(System.Globalization.CultureInfo.InvariantCulture), dir, TimeSpan.FromSeconds(20)));
            var buffer = new byte[4096];
            var (taken, length, info) = DdsRawCdrTests.TakeOne(reader, buffer, TimeSpan.FromSeconds(20));
            var (exitCode, output) = peer.Wait(TimeSpan.FromSeconds(30)) ? peer.Result : (-1, "peer task did not finish");

            Assert.That(taken, Is.EqualTo(1), $"peer exit {exitCode}: {output}");
            Assert.That(info.ValidData, Is.True);
            var cdr = buffer.AsSpan(0, length);
            Assert.That(Convert.ToHexString(cdr[..4]), Is.EqualTo("00010000"), "XCDR1 little endian");
            var r = new CdrTestReader(cdr);
            var (sec, nanosec, frameId) = (r.Int32(), r.UInt32(), r.String());
            var (names, position, velocity, effort) = (r.Strings(), r.Doubles(), r.Doubles(), r.Doubles());
            Assert.Multiple(() =>
            {
                Assert.That(sec, Is.EqualTo(7));
                Assert.That(nanosec, Is.EqualTo(8u));
                Assert.That(frameId, Is.EqualTo("base"));
                Assert.That(names, Is.EqualTo(new[] { "shoulder", "elbow" }));
                Assert.That(position, Is.EqualTo(new[] { 1.5, -2.25 }));
                Assert.That(velocity, Is.EqualTo(new[] { 0.5 }));
                Assert.That(effort, Is.Empty);
            });
            Assert.That(exitCode, Is.Zero, output);
            // The same bytes our own writer would produce from the same fields.
            Assert.That(cdr.ToArray(), Is.EqualTo(CdrTestWriter.JointState(7, 8, "base", ["shoulder", "elbow"], [1.5, -2.25], [0.5], [])));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
