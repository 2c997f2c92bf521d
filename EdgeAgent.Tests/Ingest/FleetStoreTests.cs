using System.Buffers;
using System.Net;
using System.Text.Json;
using EdgeAgent.Ingest;
using EdgeAgent.Protocol;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Sampling;
using EdgeAgent.Tests.Protocol;
using EdgeAgent.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Ingest;

/// <summary>
/// <c>edge-agent receive --store postgresql://…</c> against a real PostgreSQL server of the fixture's own
/// (<see cref="PostgresCluster"/>): de-duplication by the primary key across receivers and restarts.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FleetStoreTests
{
    private const int SigKill = 9;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly TelemetrySample[] _samples = WireTestData.Samples(100, 12);
    private PostgresCluster _pg = null!;
    private string _dir = null!;

    [OneTimeSetUp]
    public void StartServer() => _pg = PostgresCluster.Start();

    [OneTimeTearDown]
    public void StopServer() => _pg.Dispose();

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-fleet-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task TwoReceiversOneDatabase_RobotFailsOverWithUnackedBatches_EachStoredOnce()
    {
        string db = _pg.CreateDatabase();
        await using ReferenceReceiver a = await StartAsync(db, "receiver-a");
        await using ReferenceReceiver b = await StartAsync(db, "receiver-b");
        var encoder = new BatchEncoder("robot-9", "boot-1", WireTestData.TwelveJoints);

        // The robot sends 0-59 to A, fails over to B and resends what A had not acknowledged (40-59), then goes on.
        List<BatchAck> toA = await SendAsync(a, encoder, 0, 60);
        List<BatchAck> toB = await SendAsync(b, encoder, 40, 100);

        Assert.Multiple(() =>
        {
            Assert.That(toA.Select(x => x.Status), Is.All.EqualTo(BatchAck.Types.Status.Accepted));
            Assert.That(toB.Take(20).Select(x => x.Status), Is.All.EqualTo(BatchAck.Types.Status.Duplicate), "stored by A: B knows it from the table, not from memory");
            Assert.That(toB.Skip(20).Select(x => x.Status), Is.All.EqualTo(BatchAck.Types.Status.Accepted));
            Assert.That(_pg.Scalar<long>(db, "SELECT count(*) FROM edgeagent_batches"), Is.EqualTo(100));
            Assert.That(_pg.Scalar<long>(db, "SELECT max(seq) - min(seq) + 1 FROM edgeagent_batches"), Is.EqualTo(100), "no gap");
            Assert.That(_pg.Scalar<long>(db, "SELECT count(*) FROM edgeagent_batches WHERE receiver = 'receiver-a'"), Is.EqualTo(60));
            Assert.That(_pg.Scalar<long>(db, "SELECT batches FROM edgeagent_robot_latest WHERE robot_id = 'robot-9'"), Is.EqualTo(100));
            Assert.That(_pg.Scalar<long>(db, "SELECT seq FROM edgeagent_robot_latest WHERE robot_id = 'robot-9'"), Is.EqualTo(99));
            Assert.That(_pg.Scalar<float>(db, "SELECT battery_level FROM edgeagent_robot_latest WHERE robot_id = 'robot-9'"), Is.EqualTo(_samples[^1].BatteryLevel));
            Assert.That(_pg.Scalar<float>(db, "SELECT position[4 * 100 + 37 + 1] FROM edgeagent_batches WHERE seq = 7"), Is.EqualTo(_samples[37].Position[4]), "joint-major columns, as on the wire: joint 4's 100 samples after joints 0-3's");
        });
    }

    [Test]
    public async Task TwoReceiversOneDatabase_SameBatchesAtOnce_EachStoredOnceAndAcceptedOnce()
    {
        string db = _pg.CreateDatabase();
        await using ReferenceReceiver a = await StartAsync(db, "receiver-a");
        await using ReferenceReceiver b = await StartAsync(db, "receiver-b");
        var encoder = new BatchEncoder("robot-race", "boot-1", WireTestData.TwelveJoints);

        // Both receivers get the same 200 batches concurrently: the primary key, not either receiver, decides.
        List<BatchAck>[] acks = await Task.WhenAll(SendAsync(a, encoder, 0, 200, inFlight: 8), SendAsync(b, encoder, 0, 200, inFlight: 8));

        long accepted = acks.SelectMany(x => x).Count(x => x.Status == BatchAck.Types.Status.Accepted);
        Assert.Multiple(() =>
        {
            Assert.That(accepted, Is.EqualTo(200), "each batch ACCEPTED by exactly one receiver");
            Assert.That(_pg.Scalar<long>(db, "SELECT count(*) FROM edgeagent_batches"), Is.EqualTo(200));
            Assert.That(_pg.Scalar<long>(db, "SELECT batches FROM edgeagent_robot_latest"), Is.EqualTo(200));
        });
    }

    [Test]
    public void ReceiverProcess_KilledMidStreamAndRestarted_NoDuplicateRowsNoGaps()
    {
        string db = _pg.CreateDatabase();
        int port = FreePort();
        string[] receive = ["receive", "--listen", $"127.0.0.1:{port}", "--store", _pg.Url(db)];
        var receiver = AgentProcess.Start(receive);
        try
        {
            Assert.That(receiver.WaitForOutput("listening on", TimeSpan.FromSeconds(60)), Is.True, receiver.Stderr);
            Assert.That(receiver.Stdout, Does.Contain($"store postgresql://edgeagent@127.0.0.1:{_pg.Port}/{db}"));
            string summary = Path.Combine(_dir, "summary.json");
            var env = new Dictionary<string, string>
            {
                ["CLOUD_ENDPOINT"] = $"http://127.0.0.1:{port}",
                ["EDGEAGENT__SAMPLING__RATE_HZ"] = "1000",
                ["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(_dir, "spill"),
                ["EDGEAGENT__UPLINK__BREAKER_BREAK_DURATION"] = "1s",
            };
            using var agent = AgentProcess.Start(env, "run", "--config", RepoPaths.DefaultConfig, "--duration", "12s", "--quiet", "--summary", summary);

            // Killed with batches flowing (some stored and not yet acknowledged, the next in flight), restarted on the same port.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (Rows(db) < 20 && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(50);
            }

            Assert.That(Rows(db), Is.GreaterThanOrEqualTo(20), "batches reached the store before the kill\n" + agent.Stderr + receiver.Stderr);
            receiver.Signal(SigKill);
            receiver.WaitForExit(TimeSpan.FromSeconds(30));
            receiver.Dispose();
            Thread.Sleep(500);
            receiver = AgentProcess.Start(receive);
            Assert.That(receiver.WaitForOutput("listening on", TimeSpan.FromSeconds(60)), Is.True, receiver.Stderr);

            Assert.That(agent.WaitForExit(TimeSpan.FromSeconds(120)), Is.Zero, agent.Stderr);
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(summary));
            JsonElement telemetry = doc.RootElement.GetProperty("telemetry");
            long built = telemetry.GetProperty("batches_built").GetInt64();
            Assert.Multiple(() =>
            {
                Assert.That(telemetry.GetProperty("spill_pending").GetInt64(), Is.Zero, "everything acknowledged in the end");
                Assert.That(Rows(db), Is.EqualTo(built), "every batch the agent built is stored, once (the key is the primary key)");
                Assert.That(_pg.Scalar<long>(db, "SELECT max(seq) + 1 FROM edgeagent_batches"), Is.EqualTo(built), "no gap: seqs 0 .. built - 1");
                Assert.That(_pg.Scalar<long>(db, "SELECT count(DISTINCT receiver) FROM edgeagent_batches"), Is.EqualTo(1), "one receiver name across the restart");
            });
        }
        finally
        {
            receiver.Dispose();
        }
    }

    [Test]
    public async Task CommandResults_StoredOnceAsEvents_EvenWhenTheRobotResendsThem()
    {
        string db = _pg.CreateDatabase();
        await using ReferenceReceiver receiver = await StartAsync(db, "receiver-a");
        using GrpcChannel channel = GrpcChannel.ForAddress(receiver.Address);
        var headers = new Metadata { { EdgeAgent.Commands.CommandLink.RobotHeader, "robot-9" }, { EdgeAgent.Commands.CommandLink.BootHeader, "boot-1" } };
        using AsyncDuplexStreamingCall<CommandResult, Command> link = new FleetCommands.FleetCommandsClient(channel).Connect(headers, deadline: DateTime.UtcNow + TimeSpan.FromSeconds(60));
        await link.ResponseHeadersAsync;

        Task<CommandResult> issued = receiver.Commands.IssueAsync("robot-9", "a.b.c", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.That(await link.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        var result = new CommandResult
        {
            BootId = "boot-1", CommandId = "cmd-1", Type = "safe_stop", Status = CommandResult.Types.Status.Done,
            Detail = "stopped", CompletedUnixMs = 1_800_000_000_000, Delivery = link.ResponseStream.Current.Delivery,
        };
        await link.RequestStream.WriteAsync(result);
        CommandResult answered = await issued.WaitAsync(CallTimeout);

        // The same result again (a robot resends what a broken link may not have delivered).
        await link.RequestStream.WriteAsync(result);
        await link.RequestStream.CompleteAsync();
        while (await link.ResponseStream.MoveNext(CancellationToken.None))
        {
        }

        Assert.Multiple(() =>
        {
            Assert.That(answered.Detail, Is.EqualTo("stopped"));
            Assert.That(answered.RobotId, Is.EqualTo("robot-9"));
            Assert.That(_pg.Scalar<long>(db, "SELECT count(*) FROM edgeagent_command_events"), Is.EqualTo(1));
            Assert.That(_pg.Scalar<string>(db, "SELECT robot_id || ' ' || command_id || ' ' || type || ' ' || status || ' ' || receiver FROM edgeagent_command_events"), Is.EqualTo("robot-9 cmd-1 safe_stop done receiver-a"));
        });
    }

    [Test]
    public async Task Open_SampleColumnsCompressWithLz4_OnceNotAtEveryStart()
    {
        string db = _pg.CreateDatabase();
        await using (await StartAsync(db, "receiver-a"))
        {
        }

        long altered = _pg.Scalar<long>(db, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'edgeagent_batches'::regclass AND attcompression = 'l'");
        long arrays = _pg.Scalar<long>(db, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'edgeagent_batches'::regclass AND attnum > 0 AND NOT attisdropped AND attlen = -1 AND atttypid <> 'text'::regtype");
        string before = _pg.Scalar<string>(db, "SELECT xmin::text FROM pg_class WHERE oid = 'edgeagent_batches'::regclass");
        await using (await StartAsync(db, "receiver-b"))
        {
        }

        Assert.Multiple(() =>
        {
            Assert.That(arrays, Is.EqualTo(20), "the sample columns: joint_names, 17 sample arrays, safety_state, safety_cause");
            Assert.That(altered, Is.EqualTo(arrays));
            Assert.That(_pg.Scalar<string>(db, "SELECT xmin::text FROM pg_class WHERE oid = 'edgeagent_batches'::regclass"), Is.EqualTo(before), "a second receiver's start does not alter the table again");
        });
    }

    [Test]
    public async Task FleetStatus_GapsOfTheCurrentBoot_FromTheLatestRow_AndFilledOnceForAStoreFromBefore()
    {
        string db = _pg.CreateDatabase();
        var encoder = new BatchEncoder("robot-9", "boot-1", WireTestData.TwelveJoints);
        await using (ReferenceReceiver receiver = await StartAsync(db, "receiver-a"))
        {
            await SendAsync(receiver, encoder, 0, 10);
            await SendAsync(receiver, encoder, 12, 15);   // 10 and 11 never came
        }

        FleetRobotStatus before = (await FleetStatusReader.ReadAsync(_pg.Url(db), TimeSpan.FromMinutes(5), CancellationToken.None)).Single();

        // A store written by a receiver from before the column: the next receiver's start fills it from the batches.
        _pg.Scalar<int>(db, "ALTER TABLE edgeagent_robot_latest DROP COLUMN boot_batches; SELECT 1");
        await using (await StartAsync(db, "receiver-b"))
        {
        }

        FleetRobotStatus after = (await FleetStatusReader.ReadAsync(_pg.Url(db), TimeSpan.FromMinutes(5), CancellationToken.None)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(before.Gaps, Is.EqualTo(2));
            Assert.That(before.Batches, Is.EqualTo(13));
            Assert.That(before.Seq, Is.EqualTo(14));
            Assert.That(before.Stale, Is.False);
            Assert.That(after.Gaps, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task TwoReceivers_CommandIssuedAtTheOneWithoutTheLink_ForwardedToTheOneWithIt()
    {
        string db = _pg.CreateDatabase();
        await using ReferenceReceiver a = await StartAdvertisedAsync(db, "receiver-a");
        await using ReferenceReceiver b = await StartAdvertisedAsync(db, "receiver-b");
        using GrpcChannel toA = GrpcChannel.ForAddress(a.Address);
        using GrpcChannel toB = GrpcChannel.ForAddress(b.Address);
        var headers = new Metadata { { EdgeAgent.Commands.CommandLink.RobotHeader, "robot-9" }, { EdgeAgent.Commands.CommandLink.BootHeader, "boot-1" } };
        var issue = new IssueRequest { RobotId = "robot-9", Token = "a.b.c", WaitMs = 20_000 };
        CommandResult answered;
        using (AsyncDuplexStreamingCall<CommandResult, Command> link = new FleetCommands.FleetCommandsClient(toA).Connect(headers, deadline: DateTime.UtcNow + TimeSpan.FromSeconds(60)))
        {
            await link.ResponseHeadersAsync;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (_pg.Scalar<long>(db, "SELECT count(*) FROM edgeagent_command_links WHERE robot_id = 'robot-9'") == 0 && clock.Elapsed < CallTimeout)
            {
                await Task.Delay(20);
            }

            // The robot's side: answer the one command that comes down the link.
            Task robot = Task.Run(async () =>
            {
                Assert.That(await link.ResponseStream.MoveNext(CancellationToken.None), Is.True);
                await link.RequestStream.WriteAsync(new CommandResult
                {
                    BootId = "boot-1", CommandId = "cmd-7", Type = "snapshot", Status = CommandResult.Types.Status.Done, Detail = "status attached",
                    Delivery = link.ResponseStream.Current.Delivery,
                });
            });
            answered = await new FleetControl.FleetControlClient(toB).IssueAsync(issue, deadline: DateTime.UtcNow + CallTimeout);
            await robot.WaitAsync(CallTimeout);
            await link.RequestStream.CompleteAsync();
            while (await link.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }

        var clock2 = System.Diagnostics.Stopwatch.StartNew();
        while (_pg.Scalar<long>(db, "SELECT count(*) FROM edgeagent_command_links") > 0 && clock2.Elapsed < CallTimeout)
        {
            await Task.Delay(20);
        }

        CommandResult gone = await new FleetControl.FleetControlClient(toB).IssueAsync(issue, deadline: DateTime.UtcNow + CallTimeout);
        Assert.Multiple(() =>
        {
            Assert.That(b.Commands.IsConnected("robot-9"), Is.False, "the link is at A");
            Assert.That(answered.Status, Is.EqualTo(CommandResult.Types.Status.Done), answered.Detail);
            Assert.That(answered.Detail, Is.EqualTo("status attached"));
            Assert.That(answered.RobotId, Is.EqualTo("robot-9"));
            Assert.That(gone.Status, Is.EqualTo(CommandResult.Types.Status.Undelivered), "the link closed: its row is gone, nothing to forward to");
            Assert.That(gone.Detail, Does.Contain("not connected to this receiver"));
        });
    }

    [Test]
    public void Open_NoServerThere_SaysWhichStoreAndWhy()
    {
        int port = FreePort();
        var ex = Assert.ThrowsAsync<BatchStoreUnavailableException>(async () =>
            await PostgresBatchStore.OpenAsync($"postgresql://edgeagent:hunter2@127.0.0.1:{port}/fleet", "r", new ReceiverStatistics(), NullLogger.Instance, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain($"postgresql://edgeagent:***@127.0.0.1:{port}/fleet").And.Not.Contain("hunter2"));
    }

    [Test]
    public void ReceiveProcess_StoreUrlMalformed_ExitsUsageNamingTheFix()
    {
        using var receiver = AgentProcess.Start("receive", "--listen", "127.0.0.1:0", "--store", "mysql://db/fleet");
        int exit = receiver.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2), receiver.Stdout + receiver.Stderr);
            Assert.That(receiver.Stderr, Does.Contain("is not a postgresql:// URL").And.Contain("postgresql://edgeagent@127.0.0.1:5432/fleet"));
        });
    }

    private long Rows(string db) => _pg.Scalar<long>(db, "SELECT count(*) FROM edgeagent_batches");

    private async Task<ReferenceReceiver> StartAdvertisedAsync(string db, string name)
    {
        int port = FreePort();
        return await ReferenceReceiver.StartAsync(
            new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Loopback, port), StoreUrl = _pg.Url(db), Name = name, Advertise = new Uri($"http://127.0.0.1:{port}") },
            CancellationToken.None);
    }

    private async Task<ReferenceReceiver> StartAsync(string db, string name) =>
        await ReferenceReceiver.StartAsync(new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), StoreUrl = _pg.Url(db), Name = name }, CancellationToken.None);

    private async Task<List<BatchAck>> SendAsync(ReferenceReceiver receiver, BatchEncoder encoder, int from, int to, int inFlight = 1)
    {
        using GrpcChannel channel = GrpcChannel.ForAddress(receiver.Address);
        CallInvoker invoker = channel.CreateCallInvoker();
        var acks = new BatchAck[to - from];
        int next = from;
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int seq;
            while ((seq = Interlocked.Increment(ref next) - 1) < to)
            {
                var output = new ArrayBufferWriter<byte>();
                encoder.Encode((ulong)seq, _samples, replay: false, output);
                acks[seq - from] = await invoker.AsyncUnaryCall(TelemetryRawMethods.Send, null, new CallOptions(deadline: DateTime.UtcNow + CallTimeout), new BatchPayload(output.WrittenMemory));
            }
        }));
        return [.. acks];
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
