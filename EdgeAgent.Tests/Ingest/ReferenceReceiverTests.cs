using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeAgent.Ingest;
using EdgeAgent.Sampling;
using EdgeAgent.Tests.Protocol;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeAgent.Tests.Ingest;

public sealed class ReferenceReceiverTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private readonly TelemetrySample[] _samples = WireTestData.Samples(100, 12);
    private readonly BatchEncoder _encoder = new("robot-7", "boot-a1", WireTestData.TwelveJoints);
    private string _directory = null!;
    private ReferenceReceiver _receiver = null!;
    private GrpcChannel _channel = null!;

    [SetUp]
    public async Task SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("edgeagent-ingest-").FullName;
        _receiver = await ReferenceReceiver.StartAsync(
            new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), OutputPath = Path.Combine(_directory, "batches.jsonl") },
            CancellationToken.None);
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_receiver.Port}");
    }

    [TearDown]
    public async Task TearDown()
    {
        _channel.Dispose();
        await _receiver.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Send_RawPayloadTwice_AcceptedThenDuplicateAndStoredOnce()
    {
        BatchPayload payload = Payload(3);

        BatchAck first = await SendAsync(payload);
        BatchAck second = await SendAsync(payload);
        await SendAsync(Payload(4));

        Assert.Multiple(() =>
        {
            Assert.That((first.RobotId, first.BootId, first.Seq, first.Status), Is.EqualTo(("robot-7", "boot-a1", 3UL, BatchAck.Types.Status.Accepted)));
            Assert.That(second.Status, Is.EqualTo(BatchAck.Types.Status.Duplicate));
            Assert.That(_receiver.Statistics.ForRobot("robot-7"), Is.EqualTo(new RobotStatistics("robot-7", Received: 3, Batches: 2, Duplicates: 1, Gaps: 3, Samples: 200, Boots: 1)));
        });
        string[] lines = await File.ReadAllLinesAsync(Path.Combine(_directory, "batches.jsonl"));
        Assert.That(lines, Has.Length.EqualTo(2));
        using var json = JsonDocument.Parse(lines[0]);
        Assert.Multiple(() =>
        {
            Assert.That(json.RootElement.GetProperty("seq").GetUInt64(), Is.EqualTo(3));
            Assert.That(json.RootElement.GetProperty("joints")[4].GetProperty("name").GetString(), Is.EqualTo("ankle_pitch_l"));
            Assert.That(json.RootElement.GetProperty("joints")[4].GetProperty("position")[37].GetSingle(), Is.EqualTo(_samples[37].Position[4]));
            Assert.That(json.RootElement.GetProperty("monotonic_ns")[99].GetInt64(), Is.EqualTo(_samples[99].MonotonicNs));
        });
    }

    [Test]
    public async Task Send_SeqsZeroOneThree_OneGap()
    {
        foreach (ulong seq in new ulong[] { 0, 1, 3 })
        {
            await SendAsync(Payload(seq));
        }

        Assert.That(_receiver.Statistics.ForRobot("robot-7").Gaps, Is.EqualTo(1));
        await SendAsync(Payload(2));
        Assert.That(_receiver.Statistics.Snapshot().Single().Gaps, Is.Zero);
    }

    [Test]
    public async Task Stream_ThousandBatchesOnOneStream_ThousandAcksWithEveryKey()
    {
        const int Count = 1_000;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using AsyncDuplexStreamingCall<BatchPayload, BatchAck> call = _channel.CreateCallInvoker().AsyncDuplexStreamingCall(
            TelemetryRawMethods.Stream, null, new CallOptions(cancellationToken: deadline.Token));
        var output = new ArrayBufferWriter<byte>();
        Task writer = Task.Run(async () =>
        {
            for (ulong seq = 0; seq < Count; seq++)
            {
                output.ResetWrittenCount();
                _encoder.Encode(seq, _samples, replay: false, output);
                await call.RequestStream.WriteAsync(new BatchPayload(output.WrittenMemory.ToArray()), deadline.Token);
            }

            await call.RequestStream.CompleteAsync();
        });

        var acked = new HashSet<ulong>();
        await foreach (BatchAck ack in call.ResponseStream.ReadAllAsync(deadline.Token))
        {
            Assert.That(ack.Status, Is.EqualTo(BatchAck.Types.Status.Accepted));
            acked.Add(ack.Seq);
        }

        await writer;
        Assert.That(acked, Is.EquivalentTo(Enumerable.Range(0, Count).Select(i => (ulong)i)));
        Assert.That(_receiver.Statistics.ForRobot("robot-7"), Is.EqualTo(new RobotStatistics("robot-7", Count, Count, 0, 0, Count * 100, 1)));
    }

    [Test]
    public async Task Send_FailNextUnavailable_UnavailableThenAccepted()
    {
        _receiver.Faults.FailNext(1, StatusCode.Unavailable);

        RpcException? failure = Assert.ThrowsAsync<RpcException>(() => SendAsync(Payload(0)));
        BatchAck retry = await SendAsync(Payload(0));

        Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(retry.Status, Is.EqualTo(BatchAck.Types.Status.Accepted));
    }

    [Test]
    public void Send_ResourceExhausted_PushbackTrailer()
    {
        _receiver.Faults.ResourceExhausted(1, TimeSpan.FromMilliseconds(750));

        RpcException? failure = Assert.ThrowsAsync<RpcException>(() => SendAsync(Payload(0)));

        Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(failure.Trailers.GetValue(ReceiverFaults.RetryPushbackTrailer), Is.EqualTo("750"));
    }

    [Test]
    public async Task Send_RejectedSeq_InvalidArgumentAndNotCounted()
    {
        _receiver.Faults.RejectSeq(5);

        RpcException? failure = Assert.ThrowsAsync<RpcException>(() => SendAsync(Payload(5)));
        BatchAck other = await SendAsync(Payload(6));

        Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(failure.Status.Detail, Does.Contain("seq 5"));
        Assert.That(other.Status, Is.EqualTo(BatchAck.Types.Status.Accepted));
        Assert.That(_receiver.Statistics.ForRobot("robot-7").Batches, Is.EqualTo(1));
    }

    [Test]
    public void Send_MalformedColumns_InvalidArgument()
    {
        TelemetryBatch batch = TelemetryBatch.Parser.ParseFrom(Payload(1).Bytes.Span);
        batch.Position.RemoveAt(0);

        RpcException? failure = Assert.ThrowsAsync<RpcException>(() => SendAsync(new BatchPayload(Google.Protobuf.MessageExtensions.ToByteArray(batch))));

        Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(failure.Status.Detail, Does.Contain("position"));
    }

    // The protocol's limits (BatchLimits, telemetry.proto): a batch outside them is refused before anything of
    // it is stored or counted, and the refusal names the field without echoing a megabyte back.
    [TestCase("robot_id")]
    [TestCase("boot_id")]
    [TestCase("no_samples")]
    [TestCase("too_many_samples")]
    [TestCase("joint_name_control_char")]
    [TestCase("joint_name_long")]
    [TestCase("robot_id_not_ascii")]
    public async Task Send_OutsideProtocolLimits_InvalidArgumentAndNothingStored(string breach)
    {
        TelemetryBatch batch = TelemetryBatch.Parser.ParseFrom(Payload(1).Bytes.Span);
        string field = breach;
        switch (breach)
        {
            case "robot_id":
                batch.RobotId = new string('r', 1 << 20);
                break;
            case "boot_id":
                batch.BootId = new string('b', BatchLimits.MaxIdLength + 1);
                break;
            case "robot_id_not_ascii":
                batch.RobotId = "robot\n7";
                field = "robot_id";
                break;
            case "no_samples":
                batch = WireTestData.Expected("robot-7", "boot-a1", ["a"], 1, [], replay: false);
                field = "sample_count";
                break;
            case "too_many_samples":
                batch = WireTestData.Expected("robot-7", "boot-a1", ["a"], 1, WireTestData.Samples(BatchLimits.MaxSamples + 1, 1), replay: false);
                field = "sample_count";
                break;
            case "joint_name_control_char":
                batch.JointNames[2] = "hip\u001b[2Jroll";
                field = "joint_names[2]";
                break;
            case "joint_name_long":
                batch.JointNames[0] = new string('j', BatchLimits.MaxJointNameLength + 1);
                field = "joint_names[0]";
                break;
        }

        RpcException? failure = Assert.ThrowsAsync<RpcException>(() => SendAsync(new BatchPayload(Google.Protobuf.MessageExtensions.ToByteArray(batch))));
        BatchAck good = await SendAsync(Payload(2));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(failure.Status.Detail, Does.Contain(field));
            Assert.That(failure.Status.Detail, Has.Length.LessThan(300), "the refusal quotes, never echoes, the value");
            Assert.That(good.Status, Is.EqualTo(BatchAck.Types.Status.Accepted));
            Assert.That(_receiver.Statistics.Snapshot().Select(r => (r.RobotId, r.Batches)), Is.EqualTo(new[] { ("robot-7", 1L) }));
        });
        Assert.That(await File.ReadAllLinesAsync(Path.Combine(_directory, "batches.jsonl")), Has.Length.EqualTo(1));
    }

    [Test]
    public void Quote_LongValueWithControlCharacters_ShortAndPrintable()
    {
        string quoted = BatchLimits.Quote("a\u0007b" + new string('x', 10_000));

        Assert.That(quoted, Does.StartWith("a?b"));
        Assert.That(quoted, Does.EndWith("(10003 chars)"));
        Assert.That(quoted.Length, Is.LessThan(90));
        Assert.That(quoted.Any(char.IsControl), Is.False);
    }

    [Test]
    public void Send_DelayLongerThanDeadline_DeadlineExceeded()
    {
        _receiver.Faults.Delay(TimeSpan.FromSeconds(2));
        var stopwatch = Stopwatch.StartNew();

        RpcException? failure = Assert.ThrowsAsync<RpcException>(() => SendAsync(Payload(0), TimeSpan.FromMilliseconds(200)));

        Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1.5)));
    }

    [Test]
    public async Task Send_SlowDownAdvice_InAck()
    {
        _receiver.Faults.SlowDown(TimeSpan.FromMilliseconds(40));

        BatchAck ack = await SendAsync(Payload(0));
        _receiver.Faults.Clear();
        BatchAck next = await SendAsync(Payload(1));

        Assert.That((ack.SlowDownMs, next.SlowDownMs), Is.EqualTo((40u, 0u)));
    }

    [Test]
    public async Task Send_GeneratedClient_Accepted()
    {
        var client = new TelemetryIngest.TelemetryIngestClient(_channel);
        TelemetryBatch batch = WireTestData.Expected("robot-9", "boot-z", ["a"], 0, WireTestData.Samples(5, 1), replay: true);

        BatchAck ack = await client.SendAsync(batch, deadline: DateTime.UtcNow + CallTimeout);

        Assert.That(ack.Status, Is.EqualTo(BatchAck.Types.Status.Accepted));
        Assert.That(_receiver.Statistics.ForRobot("robot-9").Samples, Is.EqualTo(5));
    }

    [TestCase("0.0.0.0")]
    [TestCase("::")]
    [TestCase("192.168.1.20")]
    public void StartAsync_NonLoopbackWithoutAllowRemote_ThrowsNamingTheFix(string address)
    {
        var options = new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Parse(address), 0) };

        Assert.That(
            () => ReferenceReceiver.StartAsync(options, CancellationToken.None),
            Throws.ArgumentException.With.Message.Contains("not a loopback address").And.Message.Contains("AllowRemote"));
    }

    private BatchPayload Payload(ulong seq)
    {
        var output = new ArrayBufferWriter<byte>();
        _encoder.Encode(seq, _samples, replay: false, output);
        return new BatchPayload(output.WrittenMemory);
    }

    private async Task<BatchAck> SendAsync(BatchPayload payload, TimeSpan? timeout = null) =>
        await _channel.CreateCallInvoker().AsyncUnaryCall(TelemetryRawMethods.Send, null, new CallOptions(deadline: DateTime.UtcNow + (timeout ?? CallTimeout)), payload);
}
