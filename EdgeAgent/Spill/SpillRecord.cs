namespace EdgeAgent.Spill;

/// <summary>A record read back from the spill.</summary>
/// <param name="Position">Where the record is (pass it to <see cref="SpillLog.Acknowledge"/>).</param>
/// <param name="Key">The batch key.</param>
/// <param name="Payload">The opaque batch bytes; valid until the cursor's next read.</param>
internal readonly record struct SpillRecord(SpillPosition Position, BatchKey Key, ReadOnlyMemory<byte> Payload);
