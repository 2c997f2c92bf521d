using System.Runtime.InteropServices;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Hal.Ros2.Driver;

/// <summary>Loopback-only Cyclone for the driver tests (same setup as the Dds namespace's fixture).</summary>
[SetUpFixture]
internal sealed partial class Ros2DriverTestEnvironment
{
    /// <summary>Gets this process's private domain id (1..200); every test also uses topics of its own.</summary>
    public static uint DomainId { get; } = (uint)(Environment.ProcessId % 200) + 1;

    [OneTimeSetUp]
    public void PointCycloneAtLoopback()
    {
        var uri = "file://" + Path.Combine(RepoPaths.Root, "config", "cyclonedds.xml");
        Assert.That(setenv("CYCLONEDDS_URI", uri, 1), Is.Zero);
        Environment.SetEnvironmentVariable("CYCLONEDDS_URI", uri);
        Assert.That(DdsLibrary.TryLoad(out var error), Is.True, error);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
