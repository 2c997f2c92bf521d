using EdgeAgent.Hal.Ros2.Dds;

namespace EdgeAgent.Tests.Hal.Ros2.Dds;

public class DdsLibraryTests
{
    [Test]
    public void TryLoad_InstalledLibrary_Loads()
    {
        Assert.That(DdsLibrary.TryLoad(out var error), Is.True, error);
        Assert.That(error, Is.Null);
    }

    [Test]
    public void CandidatePaths_ExplicitPathAndRosDistro_TriedInOrder()
    {
        var paths = DdsLibrary.CandidatePaths("/custom/libddsc.so", "jazzy");

        Assert.That(paths, Is.EqualTo(new[]
        {
            "/custom/libddsc.so", "libddsc.so.0debian", "libddsc.so", "/opt/ros/jazzy/lib/libddsc.so.0", "libddsc.so.0",
        }));
    }

    [Test]
    public void CandidatePaths_NoEnvironment_SkipsExplicitAndRos()
    {
        Assert.That(DdsLibrary.CandidatePaths(null, null), Is.EqualTo(new[] { "libddsc.so.0debian", "libddsc.so", "libddsc.so.0" }));
    }

    [Test]
    public void LoadFirst_BogusPaths_ErrorNamesEveryPathAndTheFix()
    {
        // LoadFirst does not touch the process-wide resolver, which has already loaded the real library.
        var handle = DdsLibrary.LoadFirst(["/nonexistent/edgeagent-bogus/libddsc.so", "libddsc-bogus.so.9"], out var error);

        Assert.That(handle, Is.EqualTo(IntPtr.Zero));
        Assert.That(error, Does.Contain("/nonexistent/edgeagent-bogus/libddsc.so")
            .And.Contain("libddsc-bogus.so.9")
            .And.Contain("apt-get install libddsc0debian")
            .And.Contain("/opt/ros/<distro>/setup.bash")
            .And.Contain(DdsLibrary.PathVariable));
    }
}
