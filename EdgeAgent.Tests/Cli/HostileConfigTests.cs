using System.Text;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Cli;

/// <summary>
/// Issue 8.5: configuration files built to break the parser (deep nesting, an alias bomb, a huge file) give
/// exit 78 naming the limit in `check-config` and `run`, and a reload of one keeps the running agent and its loops.
/// Real processes: a stack overflow would end the process, which an in-process test could not report.
/// </summary>
[Category("Stress")]
[NonParallelizable]
public sealed class HostileConfigTests
{
    private const int SigHup = 1;
    private const int SigTerm = 15;
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-hostile-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>About 100 KB of nested flow sequences under a real key.</summary>
    internal static string DeepNesting() => "robot:\n  id: " + new string('[', 50_000) + new string(']', 50_000) + "\n";

    /// <summary>The "billion laughs": nine levels, each a list of ten aliases of the level before.</summary>
    internal static string AliasBomb()
    {
        var text = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level < 9; level++)
        {
            text.Append('a').Append(level).Append(": &a").Append(level).Append(" [")
                .Append(string.Join(", ", Enumerable.Repeat("*a" + (level - 1), 10))).Append("]\n");
        }

        return text.ToString();
    }

    [TestCase("deep", "nest more than 32 levels")]
    [TestCase("bomb", "more than 100000 values")]
    [TestCase("huge", "more than the limit of 1048576")]
    public void CheckConfigAndRun_HostileFile_Exit78NamingTheLimit(string kind, string fragment)
    {
        string file = Write(kind);

        using var check = AgentProcess.Start("check-config", file);
        int checkExit = check.WaitForExit(TimeSpan.FromSeconds(60));
        using var run = AgentProcess.Start("run", "--config", file, "--duration", "1s", "--summary", Path.Combine(_dir, "summary.json"));
        int runExit = run.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.Multiple(() =>
        {
            Assert.That(checkExit, Is.EqualTo(AgentDefaults.ExitConfig), check.Stderr + check.Stdout);
            Assert.That(check.Stderr + check.Stdout, Does.Contain(fragment).And.Contain("Fix:"));
            Assert.That(runExit, Is.EqualTo(AgentDefaults.ExitConfig), run.Stderr + run.Stdout);
            Assert.That(run.Stderr + run.Stdout, Does.Contain(fragment));
        });
    }

    [TestCase("deep")]
    [TestCase("bomb")]
    public void Reload_HostileFile_RejectedLoopsKeepRunningSummaryWritten(string kind)
    {
        string config = Path.Combine(_dir, "agent.yaml");
        File.Copy(RepoPaths.DefaultConfig, config);
        string summary = Path.Combine(_dir, "summary.json");
        var env = new Dictionary<string, string> { ["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(_dir, "spill") };
        // No --duration: on a loaded machine start-up can take most of a short run, and the reload must be
        // seen before the stop. The test stops the agent (SIGTERM) once the rejection is logged.
        using var agent = AgentProcess.Start(env, "run", "--config", config, "--summary", summary);
        Assert.That(agent.WaitForOutput("Loops running", TimeSpan.FromSeconds(60)), Is.True, agent.Stderr + agent.Stdout);

        File.WriteAllText(config, Contents(kind));
        agent.Signal(SigHup);
        bool rejected = agent.WaitForOutput("reload rejected", TimeSpan.FromSeconds(60));
        agent.Signal(SigTerm);
        int exit = agent.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.That(rejected, Is.True, "the reload was not rejected within 60 s: " + agent.Stdout);

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
        JsonElement root = doc.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, agent.Stderr + agent.Stdout);
            Assert.That(root.GetProperty("reload").GetProperty("rejected").GetInt64(), Is.EqualTo(1));
            Assert.That(root.GetProperty("reload").GetProperty("last_result").GetString(), Is.EqualTo("rejected"));
            Assert.That(root.GetProperty("safety").GetProperty("state").GetString(), Is.EqualTo("OK"), "the loops ran on with the old configuration");
            // Loose: the run is about 2 s, so one 100 ms stall of a loaded VM costs 5 %. A loop that had stopped
            // would not have written the shutdown stop's safe output, and the exit would not be 0.
            Assert.That(root.GetProperty("motor").GetProperty("rate_hz").GetDouble(), Is.GreaterThan(500.0));
        });
    }

    private string Write(string kind)
    {
        string file = Path.Combine(_dir, kind + ".yaml");
        File.WriteAllText(file, Contents(kind));
        return file;
    }

    private static string Contents(string kind) => kind switch
    {
        "deep" => DeepNesting(),
        "bomb" => AliasBomb(),
        _ => "# " + new string('x', 2 << 20) + "\n",
    };
}
