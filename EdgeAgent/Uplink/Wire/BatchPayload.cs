namespace EdgeAgent.Uplink.Wire;

/// <summary>
/// The protobuf bytes of one <c>TelemetryBatch</c>, already serialized (by <see cref="BatchEncoder"/> or read
/// back from the spill): sent by <see cref="TelemetryRawMethods"/> as they are, never parsed again.
/// </summary>
/// <param name="Bytes">The message bytes (no gRPC framing).</param>
internal readonly record struct BatchPayload(ReadOnlyMemory<byte> Bytes);
