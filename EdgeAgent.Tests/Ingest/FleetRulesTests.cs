using System.Security.Cryptography;
using EdgeAgent.Commands;
using EdgeAgent.Configuration;
using EdgeAgent.Control.Safety;
using EdgeAgent.Ingest;
using EdgeAgent.Protocol.Protos;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Status = EdgeAgent.Protocol.Protos.CommandResult.Types.Status;

namespace EdgeAgent.Tests.Ingest;

/// <summary>
/// The receiver's fleet rules on a simulated clock, against robots whose command links are stand-ins that check
/// every token with the robot's own verifier (the fleet's commands must pass the robot's checks, not just leave).
/// </summary>
public sealed class FleetRulesTests
{
    private FakeTimeProvider _time = null!;
    private CommandHub _hub = null!;
    private RecordingStore _store = null!;
    private ECDsa _key = null!;

    [SetUp]
    public void SetUp()
    {
        // NUnit keeps one fixture instance for all its tests: everything a test touches is new here.
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero));
        _hub = new CommandHub();
        _store = new RecordingStore();
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    }

    [TearDown]
    public async Task TearDown()
    {
        _key.Dispose();
        await _store.DisposeAsync();
    }

    [Test]
    public async Task BatteryDrainedTo9Percent_SendToChargerOnce_AlertUntilItRecovers()
    {
        using FleetRules rules = Rules();
        RobotLink robot = Connect("robot-1");

        rules.Observe(Batch("robot-1", 0, battery: 0.12f));
        await EvaluateAsync(rules);
        rules.Observe(Batch("robot-1", 1, battery: 0.09f));
        await EvaluateAsync(rules);
        await EvaluateAsync(rules);
        await EvaluateAsync(rules);
        int whileLow = robot.Received.Count;
        rules.Observe(Batch("robot-1", 2, battery: 0.16f));
        await EvaluateAsync(rules);
        rules.Observe(Batch("robot-1", 3, battery: 0.08f));
        await EvaluateAsync(rules);

        Assert.Multiple(() =>
        {
            Assert.That(whileLow, Is.EqualTo(1), "one command per episode, not one per evaluation");
            Assert.That(robot.Received.Select(c => c.Type), Is.EqualTo(new[] { CommandType.SendToCharger, CommandType.SendToCharger }), "again after the battery recovered and fell");
            Assert.That(robot.Received[0].Text("reason"), Is.EqualTo("battery 9.0 % < fleet charge_below 10 %"));
            Assert.That(_store.Events, Is.EqualTo(new[] { "raise robot-1 low_battery", "clear robot-1 low_battery", "raise robot-1 low_battery" }));
            Assert.That(rules.Snapshot()[0].Alerts, Is.EqualTo(new[] { FleetRules.LowBattery }));
        });
    }

    [Test]
    public async Task GeofenceBreach_RecordedAndSafeStopSent_ClearedWhenTheRobotRunsAgain()
    {
        using FleetRules rules = Rules();
        RobotLink robot = Connect("robot-2");

        rules.Observe(Batch("robot-2", 0, state: SafetyState.SafeStop, cause: SafetyCause.Geofence));
        await EvaluateAsync(rules);
        await EvaluateAsync(rules);
        rules.Observe(Batch("robot-2", 1));
        await EvaluateAsync(rules);

        Assert.Multiple(() =>
        {
            Assert.That(robot.Received.Select(c => c.Type), Is.EqualTo(new[] { CommandType.SafeStop }));
            Assert.That(_store.Events, Is.EqualTo(new[] { "raise robot-2 geofence", "clear robot-2 geofence" }));
        });
    }

    [Test]
    public async Task StoppedForAnotherCause_NoGeofenceAlert()
    {
        using FleetRules rules = Rules();
        RobotLink robot = Connect("robot-2");

        rules.Observe(Batch("robot-2", 0, state: SafetyState.SafeStop, cause: SafetyCause.Tilt));
        await EvaluateAsync(rules);

        Assert.That(robot.Received, Is.Empty);
        Assert.That(_store.Events, Is.Empty);
    }

    [Test]
    public async Task NoBatchForStaleAfter_StaleAlert_ClearedByTheNextBatch()
    {
        using FleetRules rules = Rules();
        rules.Observe(Batch("robot-3", 0));
        _time.Advance(TimeSpan.FromSeconds(29));
        await EvaluateAsync(rules);
        int before = _store.Events.Count;
        _time.Advance(TimeSpan.FromSeconds(2));
        await EvaluateAsync(rules);
        await EvaluateAsync(rules);
        rules.Observe(Batch("robot-3", 1));
        await EvaluateAsync(rules);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.Zero, "29 s is within stale_after 30 s");
            Assert.That(_store.Events, Is.EqualTo(new[] { "raise robot-3 stale", "clear robot-3 stale" }));
        });
    }

    [Test]
    public async Task QuietHereButStoredByAnotherReceiver_ForgottenNotStale()
    {
        using FleetRules rules = Rules();
        rules.Observe(Batch("robot-4", 0));
        _time.Advance(TimeSpan.FromSeconds(31));
        _store.LastStored["robot-4"] = (_time.GetUtcNow().AddSeconds(-1), "receiver-b");

        await EvaluateAsync(rules);

        Assert.Multiple(() =>
        {
            Assert.That(_store.Events, Is.Empty);
            Assert.That(rules.Snapshot(), Is.Empty);
        });
    }

    [Test]
    public async Task RobotNotConnected_CommandUndelivered_RetriedAfterRetryAfter()
    {
        using FleetRules rules = Rules();
        rules.Observe(Batch("robot-5", 0, battery: 0.05f));
        await EvaluateAsync(rules);
        long first = rules.CommandsSent;
        await EvaluateAsync(rules);
        long soon = rules.CommandsSent;

        RobotLink robot = Connect("robot-5");
        _time.Advance(TimeSpan.FromSeconds(11));
        rules.Observe(Batch("robot-5", 1, battery: 0.05f));
        await EvaluateAsync(rules);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(1));
            Assert.That(soon, Is.EqualTo(1), "not retried before retry_after");
            Assert.That(rules.CommandsSent, Is.EqualTo(2));
            Assert.That(robot.Received.Select(c => c.Type), Is.EqualTo(new[] { CommandType.SendToCharger }));
        });
    }

    [Test]
    public async Task RobotRefusesTheRulesCommand_NotAskedAgainThisEpisode()
    {
        using FleetRules rules = Rules();
        RobotLink robot = Connect("robot-8", allow: [CommandType.SafeStop]);

        rules.Observe(Batch("robot-8", 0, battery: 0.05f));
        await EvaluateAsync(rules);
        _time.Advance(TimeSpan.FromSeconds(30));
        rules.Observe(Batch("robot-8", 1, battery: 0.05f));
        await EvaluateAsync(rules);

        Assert.Multiple(() =>
        {
            Assert.That(rules.CommandsSent, Is.EqualTo(1));
            Assert.That(robot.Refused, Has.Count.EqualTo(1));
            Assert.That(robot.Refused[0], Does.Contain("Permission denied: this robot does not accept 'send_to_charger'"));
            Assert.That(_store.Events, Is.EqualTo(new[] { "raise robot-8 low_battery" }), "the alert stays open");
        });
    }

    [Test]
    public async Task WithoutAFleetKey_AlertsOnly()
    {
        using var rules = new FleetRules(new FleetRulesOptions(), _hub, _store, null, NullLogger.Instance, _time);
        RobotLink robot = Connect("robot-6");

        rules.Observe(Batch("robot-6", 0, battery: 0.05f));
        await EvaluateAsync(rules);

        Assert.Multiple(() =>
        {
            Assert.That(rules.CommandsSent, Is.Zero);
            Assert.That(robot.Received, Is.Empty);
            Assert.That(_store.Events, Is.EqualTo(new[] { "raise robot-6 low_battery" }));
        });
    }

    [Test]
    public async Task OlderReplayedBatch_DoesNotOverwriteTheNewerState()
    {
        using FleetRules rules = Rules();
        rules.Observe(Batch("robot-7", 5, battery: 0.5f));
        rules.Observe(Batch("robot-7", 1, battery: 0.05f, wallOffset: TimeSpan.FromSeconds(-60)));
        await EvaluateAsync(rules);

        Assert.Multiple(() =>
        {
            Assert.That(rules.Snapshot()[0].BatteryPercent, Is.EqualTo(50.0).Within(0.01));
            Assert.That(_store.Events, Is.Empty);
        });
    }

    private static async Task EvaluateAsync(FleetRules rules)
    {
        await rules.EvaluateAsync(CancellationToken.None);
        await rules.IdleAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private FleetRules Rules() =>
        new(new FleetRulesOptions(), _hub, _store, new CommandSigner(ECDsa.Create(_key.ExportParameters(true)), new CommandOptions().Issuer), NullLogger.Instance, _time);

    private RobotLink Connect(string robotId, IEnumerable<string>? allow = null)
    {
        var options = new CommandOptions { Allow = [.. allow ?? CommandType.All] };
        var link = new RobotLink(_hub, robotId, new CommandVerifier(options, robotId, ECDsa.Create(_key.ExportParameters(false)), _time));
        _hub.Attach(robotId, "boot-1", link);
        return link;
    }

    private TelemetryBatch Batch(string robotId, ulong seq, float battery = 0.8f, SafetyState state = SafetyState.Ok, SafetyCause cause = SafetyCause.None, TimeSpan wallOffset = default)
    {
        long wallNs = (_time.GetUtcNow() + wallOffset).ToUnixTimeMilliseconds() * 1_000_000;
        var batch = new TelemetryBatch
        {
            RobotId = robotId, BootId = "boot-1", Seq = seq, SampleCount = 1,
            SafetyState = Google.Protobuf.ByteString.CopyFrom((byte)state), SafetyCause = Google.Protobuf.ByteString.CopyFrom((byte)cause),
        };
        batch.WallUnixNsDelta.Add(wallNs);
        batch.BatteryLevel.Add(battery);
        return batch;
    }

    /// <summary>A robot's end of the command link: verifies each token as the agent does and answers at once.</summary>
    private sealed class RobotLink(CommandHub hub, string robotId, CommandVerifier verifier) : IServerStreamWriter<Command>
    {
        public List<FleetCommand> Received { get; } = [];

        public List<string> Refused { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public async Task WriteAsync(Command message)
        {
            CommandVerdict verdict = await verifier.VerifyAsync(message.Token);
            CommandResult result = verdict.Refusal ?? new CommandResult { Status = Status.Done, CommandId = verdict.Command!.Id, Type = verdict.Command.Type, Detail = "done" };
            lock (Received)
            {
                if (verdict.Command is { } command)
                {
                    Received.Add(command);
                }
                else
                {
                    Assert.That(result.Status, Is.EqualTo(Status.NotPermitted), "only the robot's own policy refuses a fleet rule's command: " + result.Detail);
                    Refused.Add(result.Detail);
                }
            }

            result.RobotId = robotId;
            result.Delivery = message.Delivery;
            hub.Complete(result);
        }
    }

    private sealed class RecordingStore : IBatchStore
    {
        public List<string> Events { get; } = [];

        public Dictionary<string, (DateTimeOffset At, string Receiver)> LastStored { get; } = [];

        public string Description => "recording";

        public ValueTask<BatchAck.Types.Status> StoreAsync(TelemetryBatch batch, CancellationToken cancellationToken) => ValueTask.FromResult(BatchAck.Types.Status.Accepted);

        public ValueTask RecordCommandAsync(CommandResult result, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask RaiseAlertAsync(string robotId, string kind, string detail, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Events.Add($"raise {robotId} {kind}");
            return ValueTask.CompletedTask;
        }

        public ValueTask ClearAlertAsync(string robotId, string kind, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Events.Add($"clear {robotId} {kind}");
            return ValueTask.CompletedTask;
        }

        public ValueTask<(DateTimeOffset At, string Receiver)?> LastStoredAsync(string robotId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(LastStored.TryGetValue(robotId, out var at) ? at : ((DateTimeOffset, string)?)null);

        public string ReceiverName => "receiver-a";

        public ValueTask SetLinkAsync(string robotId, string? address, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<(string Receiver, string Address)?> FindLinkAsync(string robotId, CancellationToken cancellationToken) => ValueTask.FromResult<(string, string)?>(null);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
