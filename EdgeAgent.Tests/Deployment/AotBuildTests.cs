using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Deployment;

/// <summary>
/// The NativeAOT build (scripts/check-aot.sh): linux-x64 and linux-arm64 published with PublishAot and every
/// warning an error, each then run: --version, check-config of the shipped file, a broken file's errors word
/// for word the JIT build's (the trimmed binder binds and validates like the reflection one), a 5 s run on the
/// simulated robot that stays OK (linux-arm64 under qemu-user).
/// </summary>
[Category("Deployment")]
public sealed class AotBuildTests
{
    [Test]
    public void PublishAotWithWarningsAsErrors_RunsAndChecksConfigLikeTheJitBuild_X64AndArm64()
    {
        string dir = Directory.CreateTempSubdirectory("edge-agent-aot-").FullName;
        try
        {
            string check = Tool.Run("bash", Path.Combine(RepoPaths.Root, "scripts", "check-aot.sh"), "--out", dir);
            byte[] x64 = File.ReadAllBytes(Path.Combine(dir, "aot-linux-x64", "edge-agent"))[..20];
            byte[] arm64 = File.ReadAllBytes(Path.Combine(dir, "aot-linux-arm64", "edge-agent"))[..20];

            Assert.Multiple(() =>
            {
                Assert.That(check, Does.Contain("linux-x64 NativeAOT:").And.Contain("linux-arm64 NativeAOT:"));
                Assert.That(check.Split('\n').Count(l => l.Contains("NativeAOT:", StringComparison.Ordinal) && l.Contains("safety OK", StringComparison.Ordinal)), Is.EqualTo(2), check);
                Assert.That(check.Split('\n').Count(l => l.EndsWith("OK: robot robot-001, 12 joints, HAL sim, motor 1000 Hz, balance 100 Hz", StringComparison.Ordinal)), Is.EqualTo(2), "check-config of the shipped file, both builds");
                Assert.That(BitConverter.ToUInt16(x64, 18), Is.EqualTo(62), "e_machine EM_X86_64");
                Assert.That(BitConverter.ToUInt16(arm64, 18), Is.EqualTo(183), "e_machine EM_AARCH64");
                Assert.That(File.Exists(Path.Combine(dir, "aot-linux-x64", "edge-agent.dll")), Is.False, "a native binary, no IL to JIT");
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
