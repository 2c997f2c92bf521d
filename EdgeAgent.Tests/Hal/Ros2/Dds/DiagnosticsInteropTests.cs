using System.Globalization;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Tests.Hal.Ros2.Dds;

/// <summary>
/// The agent's /diagnostics writer against a subscriber it did not write (native/diagnostics_sub.c: idlc-generated
/// diagnostic_msgs types, Cyclone's deserializer), as rqt_robot_monitor would read it.
/// </summary>
public sealed class DiagnosticsInteropTests
{
    [Test]
    public void Publish_DiagnosticArray_CyclonePeerReadsEveryField()
    {
        string dir = DdsTestEnvironment.CreateTempDirectory();
        try
        {
            string subscriber = DdsTestEnvironment.BuildNative("diagnostics_sub", dir);
            const string topic = "/edge_agent_test_diagnostics";
            using var writer = Ros2DiagnosticsWriter.Create(DdsTestEnvironment.DomainId, topic);
            var message = new DiagnosticArrayMessage();
            message.Header.Stamp = new RosTime(1_700_000_123, 0);
            message.Status.Add(new DiagnosticStatus(DiagnosticLevel.Warn, "edge_agent: motor loop", "wake-up error p99 600 µs of a 1000 µs period", "robot-7", [new("rate_hz", "999.8"), new("overruns", "2")]));
            message.Status.Add(new DiagnosticStatus(DiagnosticLevel.Stale, "edge_agent: uplink", string.Empty, "robot-7", []));

            var peer = Task.Run(() => DdsTestEnvironment.Run(
                subscriber, string.Create(CultureInfo.InvariantCulture, $"{DdsTestEnvironment.DomainId} rt{topic} 1 20"), dir, TimeSpan.FromSeconds(30)));

            // Depth 1, volatile: a sample written before the peer matched is not delivered later, so write until it has one.
            for (int i = 0; i < 300 && !peer.IsCompleted; i++)
            {
                Assert.That(writer.Publish(message), Is.EqualTo(DdsStatus.Ok));
                Thread.Sleep(100);
            }

            var (exitCode, output) = peer.Wait(TimeSpan.FromSeconds(40)) ? peer.Result : (-1, "peer did not finish");
            Assert.That(exitCode, Is.Zero, output);
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Is.EqualTo(new[]
            {
                "array 1700000123  2",
                "status\t1\tedge_agent: motor loop\twake-up error p99 600 µs of a 1000 µs period\trobot-7\t2",
                "kv\trate_hz\t999.8",
                "kv\toverruns\t2",
                "status\t3\tedge_agent: uplink\t\trobot-7\t0",
            }));
            Assert.That(writer.Published, Is.GreaterThanOrEqualTo(1));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Create_BadTopicName_ErrorNamesTheKey()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Ros2DiagnosticsWriter.Create(DdsTestEnvironment.DomainId, "/bad topic name"));

        Assert.That(ex!.Message, Does.StartWith("hal.ros2.diagnostics_topic: could not publish /bad topic name"));
    }
}
