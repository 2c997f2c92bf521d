using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Deployment;

/// <summary>The shipped unit (config/edge-agent.service), checked by systemd's own tools where they run without a booted systemd.</summary>
public sealed partial class SystemdUnitTests
{
    private static string Unit => Path.Combine(RepoPaths.Root, "config", "edge-agent.service");

    [Test]
    public void Security_OfflineExposureAtMostTwoAndAHalf()
    {
        Assert.That(File.Exists("/usr/bin/systemd-analyze"), Is.True, "systemd-analyze (Debian package systemd) is needed: scripts/test.sh installs it");
        string dir = Directory.CreateTempSubdirectory("edge-agent-unit-").FullName;
        try
        {
            // systemd-analyze names the unit after the file: copy it under its own name into our own directory.
            string copy = Path.Combine(dir, "edge-agent.service");
            File.Copy(Unit, copy);
            var info = new ProcessStartInfo("/usr/bin/systemd-analyze", ["security", "--offline=yes", "--no-pager", copy]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit(60_000);

            Match m = Exposure().Match(output);
            Assert.That(m.Success, Is.True, output);
            double exposure = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.That(exposure, Is.LessThanOrEqualTo(2.5), output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Unit_BadConfigurationIsNotRestartedAndAHungAgentIsKilled()
    {
        string[] lines = File.ReadAllLines(Unit).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

        Assert.Multiple(() =>
        {
            // The 78 must come from the main process: from ExecStartPre it is a plain failure, restarted forever.
            Assert.That(lines.Any(l => l.StartsWith("ExecStartPre=", StringComparison.Ordinal)), Is.False);
            Assert.That(lines, Does.Contain("RestartPreventExitStatus=78"));
            Assert.That(lines.Any(l => l.StartsWith("StartLimitBurst=", StringComparison.Ordinal)), Is.True);
            Assert.That(lines.Any(l => l.StartsWith("TimeoutAbortSec=", StringComparison.Ordinal)), Is.True, "the watchdog's SIGABRT is followed by SIGKILL");
            Assert.That(lines.Any(l => l.StartsWith("ExecReload=", StringComparison.Ordinal) && l.Contains("check-config", StringComparison.Ordinal)), Is.True, "systemctl reload fails on a bad file");
            Assert.That(lines, Does.Contain("DeviceAllow=/dev/cpu_dma_latency rw").And.Contain("DevicePolicy=closed").And.Not.Contain("PrivateDevices=yes"), "timing.limit_cpu_idle can open its device, and only that one");
        });
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex Exposure();
}
