using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Hal.Ros2.Driver;

/// <summary>Loopback-only Cyclone for the driver tests (same setup as the Dds namespace's fixture).</summary>
[SetUpFixture]
internal sealed class Ros2DriverTestEnvironment
{
    /// <summary>Gets this process's private domain id (1..200); every test also uses topics of its own.</summary>
    public static uint DomainId { get; } = (uint)(Environment.ProcessId % 200) + 1;

    [OneTimeSetUp]
    public void PointCycloneAtLoopback() => CycloneLoopback.Ensure();
}
