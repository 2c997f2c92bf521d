using System.Diagnostics;
using System.Runtime.InteropServices;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Ros2Sim;

/// <summary>
/// Loopback-only DDS for the tests in this namespace: CYCLONEDDS_URI → config/cyclonedds.xml in the native
/// environment (Cyclone's getenv) and a private domain id 201..231 from the process id (the DDS tests use 1..200).
/// </summary>
[SetUpFixture]
internal sealed partial class Ros2SimTestEnvironment
{
    public static uint DomainId { get; } = (uint)(Environment.ProcessId % 31) + 201;

    public static string CycloneUri { get; } = "file://" + Path.Combine(RepoPaths.Root, "config", "cyclonedds.xml");

    [OneTimeSetUp]
    public void PointCycloneAtLoopback()
    {
        Assert.That(setenv("CYCLONEDDS_URI", CycloneUri, 1), Is.Zero);
        Environment.SetEnvironmentVariable("CYCLONEDDS_URI", CycloneUri);
        Assert.That(Marshal.PtrToStringUTF8(getenv("CYCLONEDDS_URI")), Is.EqualTo(CycloneUri));
        Assert.That(DdsLibrary.TryLoad(out var error), Is.True, error);
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; false on timeout.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(10);
        }

        return condition();
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
