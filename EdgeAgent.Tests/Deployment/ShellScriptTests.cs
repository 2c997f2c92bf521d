using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Deployment;

/// <summary>Every shell script that ships or runs the suite passes shellcheck (Debian shellcheck), warnings and notes included.</summary>
[Category("Deployment")]
public sealed class ShellScriptTests
{
    [Test]
    public void Scripts_Shellcheck_Clean()
    {
        string? shellcheck = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "shellcheck"))
            .FirstOrDefault(File.Exists);
        Assert.That(shellcheck, Is.Not.Null, "shellcheck is not on PATH: apt-get install shellcheck (scripts/test.sh does it as root)");

        string root = RepoPaths.Root;
        var scripts = Directory.GetFiles(Path.Combine(root, "scripts"), "*.sh")
            .Concat([Path.Combine(root, "install.sh"), Path.Combine(root, ".ci", "run")])
            .Concat(Directory.GetFiles(Path.Combine(root, "packaging", "debian")).Where(f => File.ReadLines(f).FirstOrDefault()?.StartsWith("#!", StringComparison.Ordinal) == true))
            .ToArray();
        Assert.That(scripts, Has.Length.GreaterThan(10), "the scripts were found");

        // Exit 0 only when there is nothing to say; Tool.Run fails the test with shellcheck's report otherwise.
        Tool.Run(shellcheck!, ["--severity=style", .. scripts]);
    }
}
