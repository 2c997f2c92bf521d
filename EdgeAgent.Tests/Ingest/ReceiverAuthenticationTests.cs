using System.Buffers;
using System.Net;
using EdgeAgent.Ingest;
using EdgeAgent.Tests.Protocol;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeAgent.Tests.Ingest;

public sealed class ReceiverAuthenticationTests
{
    [TestCase(null, StatusCode.Unauthenticated)]
    [TestCase("Bearer wrong", StatusCode.Unauthenticated)]
    [TestCase("Bearer s3cret", StatusCode.OK)]
    public async Task Send_WithExpectedToken_OnlyTheRightTokenPasses(string? authorization, StatusCode expected)
    {
        await using ReferenceReceiver receiver = await ReferenceReceiver.StartAsync(
            new ReceiverOptions { Listen = new IPEndPoint(IPAddress.IPv6Loopback, 0), ExpectedToken = "s3cret" }, CancellationToken.None);
        using var channel = GrpcChannel.ForAddress(receiver.Address);
        var output = new ArrayBufferWriter<byte>();
        new BatchEncoder("r", "b", ["j"]).Encode(0, WireTestData.Samples(2, 1), false, output);
        var headers = new Metadata();
        if (authorization is not null)
        {
            headers.Add("authorization", authorization);
        }

        StatusCode actual = StatusCode.OK;
        try
        {
            await channel.CreateCallInvoker().AsyncUnaryCall(
                TelemetryRawMethods.Send, null, new CallOptions(headers, DateTime.UtcNow.AddSeconds(10)), new BatchPayload(output.WrittenMemory));
        }
        catch (RpcException ex)
        {
            actual = ex.StatusCode;
        }

        Assert.That(receiver.Address.Host, Is.EqualTo("[::1]"));
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(receiver.Statistics.ForRobot("r").Batches, Is.EqualTo(expected == StatusCode.OK ? 1 : 0));
    }
}
