namespace EdgeAgent.Spill;

/// <summary>The idempotency key of a telemetry batch: the receiver de-duplicates on it.</summary>
/// <param name="RobotId">The robot.</param>
/// <param name="BootId">The boot of the agent that produced the batch.</param>
/// <param name="Seq">The batch sequence number within the boot.</param>
internal readonly record struct BatchKey(string RobotId, string BootId, ulong Seq);
