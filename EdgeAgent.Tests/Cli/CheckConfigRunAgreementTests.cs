using EdgeAgent.Cli;
using EdgeAgent.Configuration;
using EdgeAgent.Hosting;
using EdgeAgent.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Tests.Cli;

/// <summary>
/// `run` accepts every file `check-config` accepts: the host validates the same options (every section,
/// copied through the one list of sections) that check-config validated.
/// </summary>
[NonParallelizable]
public sealed class CheckConfigRunAgreementTests
{
    private string _dir = null!;
    private TextWriter _stderr = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("edge-agent-agree-").FullName;
        _stderr = Console.Error;
        Console.SetError(TextWriter.Null);
    }

    [TearDown]
    public void TearDown()
    {
        Console.SetError(_stderr);
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void GeneratedValidVariants_CheckConfigAndTheRunHostAgree()
    {
        var random = new Random(20261202);
        int checkedVariants = 0;
        foreach (string yaml in Variants(random).Take(60))
        {
            string path = Path.Combine(_dir, $"variant-{checkedVariants}.yaml");
            File.WriteAllText(path, yaml);

            int check = AgentCli.Create().Parse(["check-config", path]).Invoke();
            Assert.That(check, Is.Zero, $"the generator makes valid files only: {path}");

            AgentOptions options = AgentConfigLoader.Load(path, new Dictionary<string, string>());
            using IHost host = AgentHost.Build(options, new RunSettings(path, TimeSpan.FromSeconds(1), null, TimeSpan.Zero));
            Assert.DoesNotThrow(() => _ = host.Services.GetRequiredService<IOptions<AgentOptions>>().Value, $"the run host refuses what check-config accepted: {path}");
            checkedVariants++;
        }

        Assert.That(checkedVariants, Is.EqualTo(60));
    }

    [Test]
    [Category("RealTime")]
    public void Run_MotorBalanceSamplingAtOtherRates_StartsAndStopsCleanly()
    {
        // The file of the report: valid for check-config, and run used to refuse it naming a value not in it.
        string path = Path.Combine(_dir, "rates.yaml");
        File.WriteAllText(path, WithRates(File.ReadAllText(RepoPaths.DefaultConfig), 250, 50, 50));
        using var agent = AgentProcess.Start("run", "--config", path, "--duration", "1s", "--quiet");

        Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(60)), Is.Zero, agent.Stderr + agent.Stdout);
    }

    private static IEnumerable<string> Variants(Random random)
    {
        string shipped = File.ReadAllText(RepoPaths.DefaultConfig);
        int[] motorRates = [200, 250, 400, 500, 1000, 2000];
        while (true)
        {
            int motor = motorRates[random.Next(motorRates.Length)];
            int[] divisors = Enumerable.Range(2, motor).Where(n => motor % n == 0 && motor / n >= 25).Select(n => motor / n).ToArray();
            int balance = divisors[random.Next(divisors.Length)];
            int[] sampleRates = Enumerable.Range(1, motor).Where(n => motor % n == 0 && motor / n <= 1000).Select(n => motor / n).ToArray();
            int sampling = sampleRates[random.Next(sampleRates.Length)];
            string yaml = WithRates(shipped, motor, balance, sampling)
                .Replace("  ring_capacity: 4096 ", $"  ring_capacity: {1 << random.Next(8, 14)} ", StringComparison.Ordinal)
                .Replace("  mode: on_failure ", random.Next(2) == 0 ? "  mode: always " : "  mode: on_failure ", StringComparison.Ordinal)
                .Replace("  batch_size: 100 ", $"  batch_size: {random.Next(1, 500)} ", StringComparison.Ordinal)
                .Replace("  spin_margin: 100us ", $"  spin_margin: {random.Next(0, 1000 * 1000 / motor)}us ", StringComparison.Ordinal)
                .Replace("  max_control_gap: 50ms ", $"  max_control_gap: {random.Next(2 * 1000 / balance + 1, 200)}ms ", StringComparison.Ordinal);
            yield return yaml;
        }
    }

    private static string WithRates(string yaml, int motor, int balance, int sampling) => yaml
        .Replace("  rate_hz: 1000            # motor", $"  rate_hz: {motor}            # motor", StringComparison.Ordinal)
        .Replace("  rate_hz: 100.0           # balance", $"  rate_hz: {balance}           # balance", StringComparison.Ordinal)
        .Replace("  rate_hz: 100             # telemetry", $"  rate_hz: {sampling}             # telemetry", StringComparison.Ordinal);
}
