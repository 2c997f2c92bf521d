using EdgeAgent.Spill;

namespace EdgeAgent.Tests.Spill;

public sealed class SpillPathsTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("edge-agent-spillpaths-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Resolve_Configured_UsedAsGiven()
    {
        Assert.That(SpillPaths.Resolve("/data/spill", _ => null, "/nonexistent"), Is.EqualTo("/data/spill"));
    }

    [Test]
    public void Resolve_StateDirectorySet_SpillUnderIt()
    {
        string? Env(string name) => name == "STATE_DIRECTORY" ? "/var/lib/edge-agent:/var/lib/other" : null;

        Assert.That(SpillPaths.Resolve(string.Empty, Env, Path.Combine(_root, "system")), Is.EqualTo("/var/lib/edge-agent/spill"));
    }

    [Test]
    public void Resolve_SystemDirectoryWritable_SystemDirectory()
    {
        string system = Path.Combine(_root, "system", "spill");

        Assert.That(SpillPaths.Resolve(string.Empty, _ => null, system), Is.EqualTo(system));
    }

    [Test]
    public void Resolve_SystemDirectoryUnusable_XdgStateHomeThenHome()
    {
        string blocked = Path.Combine(_root, "file");
        File.WriteAllText(blocked, "not a directory");
        string unusable = Path.Combine(blocked, "spill");
        string? Xdg(string name) => name switch { "XDG_STATE_HOME" => "/xdg/state", "HOME" => "/home/robot", _ => null };
        string? Home(string name) => name == "HOME" ? "/home/robot" : null;

        Assert.Multiple(() =>
        {
            Assert.That(SpillPaths.Resolve(string.Empty, Xdg, unusable), Is.EqualTo("/xdg/state/edge-agent/spill"));
            Assert.That(SpillPaths.Resolve(string.Empty, Home, unusable), Is.EqualTo("/home/robot/.local/state/edge-agent/spill"));
        });
    }
}
