using System.Diagnostics;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Ros2Sim;

/// <summary>
/// Loopback-only DDS for the tests in this namespace: CYCLONEDDS_URI → config/cyclonedds.xml in the native
/// environment (Cyclone's getenv) and a private domain id 201..231 from the process id (the DDS tests use 1..200).
/// </summary>
[SetUpFixture]
internal sealed class Ros2SimTestEnvironment
{
    public static uint DomainId { get; } = (uint)(Environment.ProcessId % 31) + 201;

    public static string CycloneUri => CycloneLoopback.Uri;

    [OneTimeSetUp]
    public void PointCycloneAtLoopback() => CycloneLoopback.Ensure();

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
}
