using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Tests.Hal.Ros2.Dds;

namespace EdgeAgent.Tests.Hal.Ros2.Driver;

/// <summary>The driver's commands read by a C subscriber with idlc-generated types (native/commands_sub.c).</summary>
[NonParallelizable]
public sealed class Ros2CommandInteropTests
{
    [Test]
    public void Write_ForwardCommand_CPeerWithIdlcTypesReadsTheExactEfforts()
    {
        string dir = DdsTestEnvironment.CreateTempDirectory();
        try
        {
            string peer = DdsTestEnvironment.BuildNative("commands_sub", dir);
            using var rig = new Ros2HalRig();
            var info = new ProcessStartInfo(peer) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(rig.Options.DomainId.ToString(CultureInfo.InvariantCulture));
            info.ArgumentList.Add(Ros2Names.ToDdsTopic(rig.Options.CommandTopic));
            using Process process = Process.Start(info)!;
            var commands = new JointCommands(Ros2HalRig.Joints.Length);
            double[] efforts = [1.5, -2.25, 0.1 + 0.2];
            efforts.CopyTo(commands.Effort, 0);

            // Keep publishing (bounded) until the peer has matched and taken one sample.
            var clock = Stopwatch.StartNew();
            while (!process.WaitForExit(20) && clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                Assert.That(rig.Hal.Write(commands), Is.EqualTo(HalStatus.Ok));
            }

            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
                Assert.Fail("the C subscriber got nothing within 15 s: " + process.StandardError.ReadToEnd());
            }

            string output = process.StandardOutput.ReadToEnd().Trim();
            Assert.That(process.ExitCode, Is.Zero, output + process.StandardError.ReadToEnd());
            string[] words = output.Split(' ');
            Assert.Multiple(() =>
            {
                Assert.That(words[0], Is.EqualTo("data"));
                Assert.That(int.Parse(words[1], CultureInfo.InvariantCulture), Is.EqualTo(efforts.Length));
                Assert.That(words.Skip(2).Select(w => double.Parse(w, CultureInfo.InvariantCulture)), Is.EqualTo(efforts), "bit-exact doubles");
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
