namespace EdgeAgent.Protocol;

/// <summary>
/// The protobuf bytes of one <c>TelemetryBatch</c>, already serialized (by <see cref="BatchEncoder"/> or read
/// back from the spill): sent by <see cref="TelemetryRawMethods"/> as they are, never parsed again.
/// </summary>
/// <remarks>
/// A class, not a struct: <c>CallInvoker</c> constrains request types to reference types. One small object per
/// call (the gRPC call itself allocates far more); a sender may keep and reuse payloads, e.g. for retries.
/// </remarks>
/// <param name="Bytes">The message bytes (no gRPC framing). They must not change until the call has sent them.</param>
internal sealed record BatchPayload(ReadOnlyMemory<byte> Bytes);
