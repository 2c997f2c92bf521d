using System.Runtime.InteropServices;
using EdgeAgent.Hal.Ros2.Dds;

namespace EdgeAgent.Tests.Support;

/// <summary>
/// Points this test process's Cyclone DDS at the loopback-only config/cyclonedds.xml. Set in the native
/// environment, which Cyclone's getenv reads (Environment.SetEnvironmentVariable alone does not reach it on
/// Unix), and in the managed one, which child processes inherit. Each DDS test namespace's fixture calls it.
/// </summary>
internal static partial class CycloneLoopback
{
    /// <summary>Gets the CYCLONEDDS_URI value.</summary>
    public static string Uri { get; } = "file://" + Path.Combine(RepoPaths.Root, "config", "cyclonedds.xml");

    /// <summary>Sets CYCLONEDDS_URI for this process and checks that libddsc loads.</summary>
    public static void Ensure()
    {
        Assert.That(setenv("CYCLONEDDS_URI", Uri, 1), Is.Zero);
        Environment.SetEnvironmentVariable("CYCLONEDDS_URI", Uri);
        Assert.That(Marshal.PtrToStringUTF8(getenv("CYCLONEDDS_URI")), Is.EqualTo(Uri), "Cyclone reads the native environment");
        Assert.That(DdsLibrary.TryLoad(out var error), Is.True, error);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
