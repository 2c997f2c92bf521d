using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Deployment;

/// <summary>
/// What Dockerfile.arm64 builds, without a Docker engine: the same linux-arm64 publish (scripts/check-arm64.sh),
/// run under qemu-aarch64 (--version, check-config, a 5 s run that must stay OK), then packaged as the arm64 .deb.
/// </summary>
[Category("Deployment")]
public sealed class Arm64BuildTests
{
    [Test]
    public void PublishRunUnderQemuAndPackage_Arm64()
    {
        string dir = Directory.CreateTempSubdirectory("edge-agent-arm64-").FullName;
        try
        {
            string published = Path.Combine(dir, "publish");
            string check = Tool.Run("bash", Path.Combine(RepoPaths.Root, "scripts", "check-arm64.sh"), "--out", published);
            string deb = Tool.Run("bash", Path.Combine(RepoPaths.Root, "scripts", "build-deb.sh"), "--runtime", "linux-arm64", "--published", published, "--out", dir).Trim().Split('\n')[^1];
            string info = Tool.Run("dpkg-deb", "-I", deb);
            byte[] elf = File.ReadAllBytes(Path.Combine(published, "edge-agent"))[..20];

            Assert.Multiple(() =>
            {
                Assert.That(check, Does.Contain("linux-arm64 under qemu: motor").And.Contain("safety OK"));
                Assert.That(check, Does.Contain("OK: robot robot-001"), "check-config of the shipped file under qemu");
                Assert.That(elf[..4], Is.EqualTo(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }));
                Assert.That(BitConverter.ToUInt16(elf, 18), Is.EqualTo(183), "e_machine EM_AARCH64");
                Assert.That(info, Does.Contain("Architecture: arm64"));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
