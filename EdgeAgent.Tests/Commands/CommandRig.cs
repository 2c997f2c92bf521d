using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Commands;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Hosting;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Commands;

/// <summary>
/// The robot's side of the command link without the link: the shipped configuration in a temporary file, its
/// control stack on the simulated robot and clock, the reloader on that file, a fresh fleet key, and the
/// verifier and processor the agent builds from them.
/// </summary>
internal sealed class CommandRig : IDisposable
{
    public const string RobotId = "robot-7";

    private readonly string _dir;

    public CommandRig(IEnumerable<string>? allow = null)
    {
        _dir = Directory.CreateTempSubdirectory("edge-agent-commands-").FullName;
        ConfigPath = Path.Combine(_dir, "agent.yaml");
        const string ShippedAllow = "  allow: [safe_stop, send_to_charger, flush_telemetry, snapshot]";
        string config = File.ReadAllText(RepoPaths.DefaultConfig);
        Assert.That(config, Does.Contain(ShippedAllow), "the shipped file changed; update the rig");
        File.WriteAllText(ConfigPath, config.Replace(ShippedAllow, $"  allow: [{string.Join(", ", allow ?? CommandType.All)}]", StringComparison.Ordinal));
        Options = AgentConfigLoader.Load(ConfigPath, new Dictionary<string, string>());
        Clock = new SimulatedClock(1_000_000_000);
        Robot = new SimulatedRobot(HalFactory.SimOptionsFrom(Options), Clock);
        Parts = new ControlParts(Options, Robot);
        Robot.Start(CancellationToken.None);
        Runner = new SimulatedTimeRunner(Parts, Clock, Clock.AdvanceTo);
        Reloader = new ConfigReloader(Parts, Options, new RunSettings(ConfigPath, null, null, TimeSpan.Zero), NullLogger<ConfigReloader>.Instance);
        FleetKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Signer = new CommandSigner(ECDsa.Create(FleetKey.ExportParameters(true)), Options.Commands.Issuer);
        using ECDsa publicKey = ECDsa.Create(FleetKey.ExportParameters(false));
        VerifierKey = ECDsa.Create(publicKey.ExportParameters(false));
        Verifier = new CommandVerifier(Options.Commands, RobotId, VerifierKey, Time);
        Processor = new CommandProcessor(
            Verifier,
            new CommandTargets(Parts.Safety, Reloader, () => Task.FromResult("flushed 0 samples"), () => "{\"robot\":\"" + RobotId + "\"}", () => Robot.BatteryLevel * 100),
            State,
            NullLogger.Instance,
            TimeProvider.System,
            TimeSpan.FromSeconds(10));
    }

    public string ConfigPath { get; }

    public AgentOptions Options { get; }

    public SimulatedClock Clock { get; }

    public SimulatedRobot Robot { get; }

    public ControlParts Parts { get; }

    public SimulatedTimeRunner Runner { get; }

    public ConfigReloader Reloader { get; }

    /// <summary>Gets the clock of expiry and replay (tests move it).</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero));

    public ECDsa FleetKey { get; }

    public ECDsa VerifierKey { get; }

    public CommandSigner Signer { get; }

    public CommandVerifier Verifier { get; }

    public CommandState State { get; } = new();

    public CommandProcessor Processor { get; }

    /// <summary>Signs a command for this robot, issued now on <see cref="Time"/>, valid for a minute.</summary>
    public string Sign(string type, Action<Utf8JsonWriter>? arguments = null, string? scope = null, string? id = null, TimeSpan? lifetime = null) =>
        Signer.Sign(RobotId, type, lifetime ?? TimeSpan.FromMinutes(1), Time.GetUtcNow(), arguments, scope, id).Token;

    /// <summary>Carries out a command while the motor loop ticks on the simulated clock, as the agent's loops would.</summary>
    public CommandResult Run(string token, int maxTicks = 5000)
    {
        Task<CommandResult> pending = Processor.HandleAsync(token, CancellationToken.None);
        for (int tick = 0; !pending.IsCompleted && tick < maxTicks; tick++)
        {
            Runner.Step();
            Thread.Sleep(1);
        }

        Assert.That(pending.Wait(TimeSpan.FromSeconds(30)), Is.True, "the command did not complete");
        return pending.Result;
    }

    public void Dispose()
    {
        Reloader.Dispose();
        Signer.Dispose();
        FleetKey.Dispose();
        VerifierKey.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
