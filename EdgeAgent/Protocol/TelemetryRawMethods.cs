using EdgeAgent.Protocol.Protos;
using Grpc.Core;

namespace EdgeAgent.Protocol;

/// <summary>
/// The <c>TelemetryIngest</c> methods with a pre-serialized request: same service and method names as the
/// generated client (<see cref="TelemetryIngest.TelemetryIngestClient"/>), so any receiver of the protocol
/// answers them, but the request marshaller copies <see cref="BatchPayload.Bytes"/> into the call unchanged.
/// Use with <see cref="CallInvoker.AsyncUnaryCall{TRequest, TResponse}"/> and
/// <see cref="CallInvoker.AsyncDuplexStreamingCall{TRequest, TResponse}"/>.
/// </summary>
internal static class TelemetryRawMethods
{
    /// <summary>Marshals a payload as its bytes (serialize) or a copy of the received bytes (deserialize).</summary>
    public static readonly Marshaller<BatchPayload> PayloadMarshaller = new(
        static (payload, context) =>
        {
            ReadOnlySpan<byte> bytes = payload.Bytes.Span;
            context.SetPayloadLength(bytes.Length);
            System.Buffers.IBufferWriter<byte> writer = context.GetBufferWriter();
            bytes.CopyTo(writer.GetSpan(bytes.Length));
            writer.Advance(bytes.Length);
            context.Complete();
        },
        static context => new BatchPayload(context.PayloadAsNewBuffer()));

    /// <summary>Marshals an acknowledgement with the generated parser.</summary>
    public static readonly Marshaller<BatchAck> AckMarshaller = new(
        static (ack, context) =>
        {
            context.SetPayloadLength(ack.CalculateSize());
            Google.Protobuf.MessageExtensions.WriteTo(ack, context.GetBufferWriter());
            context.Complete();
        },
        static context => BatchAck.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    /// <summary><c>rpc Send(TelemetryBatch) returns (BatchAck)</c> with a pre-serialized batch.</summary>
    public static readonly Method<BatchPayload, BatchAck> Send = new(
        MethodType.Unary, TelemetryIngest.Descriptor.FullName, "Send", PayloadMarshaller, AckMarshaller);

    /// <summary><c>rpc Stream(stream TelemetryBatch) returns (stream BatchAck)</c> with pre-serialized batches.</summary>
    public static readonly Method<BatchPayload, BatchAck> Stream = new(
        MethodType.DuplexStreaming, TelemetryIngest.Descriptor.FullName, "Stream", PayloadMarshaller, AckMarshaller);
}
