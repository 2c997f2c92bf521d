using System.Runtime.InteropServices;

namespace EdgeAgent.Hal.Ros2;

/// <summary>Sub-millisecond sleep (Thread.Sleep rounds to whole milliseconds).</summary>
internal static partial class NativeSleep
{
    /// <summary>Sleeps about <paramref name="microseconds"/> µs; falls back to a yield when libc is unavailable.</summary>
    public static void Microseconds(uint microseconds)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = usleep(microseconds);
        }
        else
        {
            Thread.Sleep(microseconds >= 1000 ? (int)(microseconds / 1000) : 1);
        }
    }

    [LibraryImport("libc")]
    private static partial int usleep(uint usec);
}
