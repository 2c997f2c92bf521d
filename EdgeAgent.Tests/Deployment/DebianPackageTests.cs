using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Deployment;

/// <summary>
/// scripts/build-deb.sh's package, installed with the real dpkg into a staging root (dpkg --root, maintainer
/// scripts run chrootless with DPKG_ROOT): fresh install, upgrade over an edited configuration, remove, purge.
/// </summary>
[Category("Deployment")]
[NonParallelizable]
public sealed class DebianPackageTests
{
    private string _dir = null!;
    private string _v1 = null!;
    private string _v2 = null!;

    [OneTimeSetUp]
    public void BuildPackages()
    {
        _dir = Directory.CreateTempSubdirectory("edge-agent-deb-").FullName;
        string published = Path.Combine(_dir, "v1", "publish-linux-x64");
        _v1 = Tool.Run("bash", Path.Combine(RepoPaths.Root, "scripts", "build-deb.sh"), "--out", Path.Combine(_dir, "v1")).Trim().Split('\n')[^1];

        // The "next version": the same binary, a new default configuration.
        string config = Path.Combine(_dir, "agent-v2.yaml");
        File.WriteAllText(config, "# shipped with 0.1.1\n" + File.ReadAllText(RepoPaths.DefaultConfig));
        _v2 = Tool.Run("bash", Path.Combine(RepoPaths.Root, "scripts", "build-deb.sh"), "--out", Path.Combine(_dir, "v2"), "--published", published, "--version", "0.1.1", "--config", config).Trim().Split('\n')[^1];
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Package_ControlConffilesAndOwners()
    {
        string info = Tool.Run("dpkg-deb", "-I", _v1);
        string contents = Tool.Run("dpkg-deb", "-c", _v1);
        string conffiles = Tool.Run("dpkg-deb", "--info", _v1, "conffiles");
        string[] entries = contents.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(info, Does.Contain("Package: edge-agent").And.Contain("Architecture: amd64").And.Contain("Version: 0.1.0"));
            Assert.That(conffiles.Trim(), Is.EqualTo("/etc/edge-agent/agent.yaml"));
            Assert.That(entries.All(e => e.Contains(" root/root ", StringComparison.Ordinal)), Is.True, "every file is root's");
            Assert.That(entries.Where(e => e[0] != 'l' && e[8] == 'w'), Is.Empty, "nothing world-writable (links aside)");
            Assert.That(entries[0], Does.StartWith("drwxr-xr-x"), "the archive's root is 0755");
            Assert.That(contents, Does.Contain("./lib/systemd/system/edge-agent.service").And.Contain("./usr/bin/edge-agent -> /opt/edge-agent/edge-agent"));
            Assert.That(entries.Any(e => e.StartsWith("-rwxr-xr-x", StringComparison.Ordinal) && e.EndsWith("./opt/edge-agent/edge-agent", StringComparison.Ordinal)), Is.True);
            Assert.That(entries.Any(e => e.EndsWith(".pdb", StringComparison.Ordinal) || e.EndsWith(".dbg", StringComparison.Ordinal)), Is.False, "no debug symbols");
            Assert.That(entries.Any(e => e.EndsWith(".dll", StringComparison.Ordinal)), Is.False, "the NativeAOT build: one native binary, no assemblies to JIT");
            Assert.That(contents, Does.Contain("./lib/udev/rules.d/60-edge-agent.rules"), "/dev/cpu_dma_latency for the agent's group");
        });
    }

    [Test]
    public void Lifecycle_InstallUpgradeKeepsTheEditRemoveKeepsDataPurgeRemovesIt()
    {
        Assume.That(Environment.UserName, Is.EqualTo("root"), "dpkg --root with owners needs root; CI runs as root");
        string root = Path.Combine(_dir, "root");
        StagingRoot(root);

        Dpkg(root, "-i", _v1);
        string etc = Path.Combine(root, "etc", "edge-agent");
        string config = Path.Combine(etc, "agent.yaml");
        string data = Path.Combine(root, "var", "lib", "edge-agent");
        string passwd = File.ReadAllText(Path.Combine(root, "etc", "passwd"));
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(root, "opt", "edge-agent", "edge-agent")), Is.True);
            Assert.That(passwd, Does.Contain("edge-agent:x:").And.Contain(":/var/lib/edge-agent:/usr/sbin/nologin"));
            Assert.That(Mode(etc), Is.EqualTo("750 0:" + Gid(root)));
            Assert.That(Mode(config), Is.EqualTo("640 0:" + Gid(root)), "the configuration is the agent's group's to read, no one else's");
            Assert.That(Mode(data), Is.EqualTo("750 " + Uid(root) + ":" + Gid(root)));
            Assert.That(File.Exists(Path.Combine(root, "etc", "systemd", "system", "multi-user.target.wants", "edge-agent.service")), Is.True, "enabled");
        });

        // A technician's edit, and data in the spill, then the upgrade.
        File.AppendAllText(config, "# tuned on the robot\n");
        Directory.CreateDirectory(Path.Combine(data, "spill"));
        File.WriteAllText(Path.Combine(data, "spill", "00000000000000000000.seg"), "pending batches");
        Dpkg(root, "--force-confold", "-i", _v2);
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(config), Does.EndWith("# tuned on the robot\n"), "the edit survives the upgrade");
            Assert.That(File.ReadAllText(config + ".dpkg-dist"), Does.StartWith("# shipped with 0.1.1"), "the new default beside it");
            Assert.That(Tool.Run("dpkg-query", "--admindir=" + Path.Combine(root, "var", "lib", "dpkg"), "-W", "-f=${Version}", "edge-agent"), Is.EqualTo("0.1.1"));
            Assert.That(Mode(config), Is.EqualTo("640 0:" + Gid(root)));
        });

        Dpkg(root, "-r", "edge-agent");
        Assert.Multiple(() =>
        {
            Assert.That(Directory.Exists(Path.Combine(root, "opt", "edge-agent")), Is.False, "the binary is gone");
            Assert.That(File.Exists(config), Is.True, "remove keeps the configuration");
            Assert.That(File.Exists(Path.Combine(data, "spill", "00000000000000000000.seg")), Is.True, "remove keeps the spill");
        });

        Dpkg(root, "-P", "edge-agent");
        Assert.Multiple(() =>
        {
            Assert.That(Directory.Exists(etc), Is.False, "purge removes the configuration");
            Assert.That(Directory.Exists(data), Is.False, "purge removes /var/lib/edge-agent");
        });
    }

    [Test]
    public void InstallScript_StagingRoot_ReplacesAnEarlierSourceInstallTokenModesUninstallPurge()
    {
        Assume.That(Environment.UserName, Is.EqualTo("root"), "install.sh installs a system user and owners; CI runs as root");
        string root = Path.Combine(_dir, "install-root");
        string install = Path.Combine(RepoPaths.Root, "install.sh");

        // What an earlier install.sh left: its files (one the new version does not ship) and its unit.
        Directory.CreateDirectory(Path.Combine(root, "opt", "edge-agent"));
        File.WriteAllText(Path.Combine(root, "opt", "edge-agent", "edge-agent"), "old binary");
        File.WriteAllText(Path.Combine(root, "opt", "edge-agent", "Stale.Old.dll"), "old");
        Directory.CreateDirectory(Path.Combine(root, "etc", "systemd", "system"));
        File.WriteAllText(Path.Combine(root, "etc", "systemd", "system", "edge-agent.service"), "[Service]\n");
        string token = Path.Combine(_dir, "token.txt");
        File.WriteAllText(token, "secret-token-value\n");

        Tool.Run("bash", install, "--root", root, "--out", Path.Combine(_dir, "install-out"), "--token", token);
        string etc = Path.Combine(root, "etc", "edge-agent");
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(root, "opt", "edge-agent", "Stale.Old.dll")), Is.False, "no stale file of the old version");
            Assert.That(File.Exists(Path.Combine(root, "etc", "systemd", "system", "edge-agent.service")), Is.False, "the old unit no longer shadows the package's");
            Assert.That(File.Exists(Path.Combine(root, "lib", "systemd", "system", "edge-agent.service")), Is.True);
            Assert.That(Mode(Path.Combine(etc, "token")), Is.EqualTo("640 0:" + Gid(root)), "the token is the agent's group's to read, no one else's");
            Assert.That(Mode(Path.Combine(root, "var", "lib", "edge-agent")), Is.EqualTo("750 " + Uid(root) + ":" + Gid(root)));
        });

        Directory.CreateDirectory(Path.Combine(root, "var", "lib", "edge-agent", "spill"));
        File.WriteAllText(Path.Combine(root, "var", "lib", "edge-agent", "spill", "00000000000000000000.seg"), "pending");
        Tool.Run("bash", install, "--root", root, "--uninstall");
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(root, "opt", "edge-agent", "edge-agent")), Is.False);
            Assert.That(File.Exists(Path.Combine(etc, "agent.yaml")), Is.True, "--uninstall keeps the configuration");
            Assert.That(File.Exists(Path.Combine(root, "var", "lib", "edge-agent", "spill", "00000000000000000000.seg")), Is.True, "--uninstall keeps the data");
        });

        Tool.Run("bash", install, "--root", root, "--purge");
        Assert.That(Directory.Exists(Path.Combine(root, "var", "lib", "edge-agent")), Is.False, "--purge removes the data");
        Assert.That(Directory.Exists(etc), Is.False, "--purge removes the configuration and the token");
    }

    /// <summary>
    /// scripts/check-systemd.sh: the package under real systemd 252 in a systemd-nspawn container (an overlay of
    /// this machine's root, loopback-only network): install and start, a failed reload, an upgrade over the
    /// running agent (controlled stop, no SIGBUS, no batch lost in spill.mode always), no restart loop on a bad file,
    /// a hung agent replaced by the watchdog.
    /// </summary>
    [Test]
    public void UnderSystemd_InstallReloadUpgradeBadConfig()
    {
        var info = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "check-systemd.sh"), _v1, _v2])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(5)), Is.True, "check-systemd.sh finishes (every wait in it is bounded)");
        if (process.ExitCode == 77)
        {
            Assert.Ignore("this machine cannot boot systemd in a container: " + stderr.Result.Trim());
        }

        TestContext.Out.WriteLine(stdout);
        Assert.That(process.ExitCode, Is.Zero, stdout + stderr.Result);
        Assert.Multiple(() =>
        {
            Assert.That(stdout, Does.Contain("check-systemd: 2 reload: a broken file fails the reload"));
            Assert.That(stdout, Does.Contain("check-systemd: 3 upgrade: controlled stop, no SIGBUS"));
            Assert.That(stdout, Does.Contain("check-systemd: 4 bad config: exit 78, state failed, 0 restarts"));
            Assert.That(stdout, Does.Contain("check-systemd: 5 watchdog: pid"));
            Assert.That(stdout, Does.EndWith("check-systemd: all checks passed\n"));
        });
    }

    private static void StagingRoot(string root)
    {
        foreach (string d in new[] { "var/lib/dpkg/info", "var/lib/dpkg/updates", "etc" })
        {
            Directory.CreateDirectory(Path.Combine(root, d));
        }

        File.WriteAllText(Path.Combine(root, "var", "lib", "dpkg", "status"), string.Empty);
        File.WriteAllText(Path.Combine(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(root, "etc", "group"), "root:x:0:\n");
        File.WriteAllText(Path.Combine(root, "etc", "shadow"), "root:*:19000:0:99999:7:::\n", System.Text.Encoding.ASCII);
        File.WriteAllText(Path.Combine(root, "etc", "gshadow"), "root:*::\n");
        Tool.Run("chmod", "0600", Path.Combine(root, "etc", "shadow"), Path.Combine(root, "etc", "gshadow"));
    }

    private static void Dpkg(string root, params string[] args) =>
        Tool.Run("dpkg", ["--root=" + root, "--force-script-chrootless", "--force-depends", "--log=/dev/null", .. args]);

    private static string Id(string root, string file, string name) =>
        File.ReadAllLines(Path.Combine(root, "etc", file)).First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':')[2];

    private static string Uid(string root) => Id(root, "passwd", "edge-agent");

    private static string Gid(string root) => Id(root, "group", "edge-agent");

    private static string Mode(string path) => Tool.Run("stat", "-c", "%a %u:%g", path).Trim();
}
