namespace EdgeAgent.Uplink;

/// <summary>
/// Where every batch the uplink is responsible for is, at one moment (taken under the uplink's lock, so it
/// balances exactly): the batches it found in the spill at start plus those it built equal the batches
/// acknowledged, dead-lettered, still pending (in memory only, or in the spill) and dropped under a named cause.
/// </summary>
internal readonly record struct UplinkAccounting
{
    /// <summary>Gets the unacknowledged batches recovered from the spill at start (earlier runs' backlog).</summary>
    public long Recovered { get; init; }

    /// <summary>Gets the batches built in this run.</summary>
    public long Built { get; init; }

    /// <summary>Gets the batches the upstream acknowledged (accepted or already had), each once.</summary>
    public long Acked { get; init; }

    /// <summary>Gets the batches the upstream rejected for good (kept in the dead-letter spill).</summary>
    public long DeadLettered { get; init; }

    /// <summary>Gets the batches held only in memory (queued or in flight, with no record in the spill).</summary>
    public long PendingMemory { get; init; }

    /// <summary>Gets the unacknowledged records in the spill (some may be in flight too).</summary>
    public long PendingSpill { get; init; }

    /// <summary>Gets the batches deleted unacknowledged by the spill quota.</summary>
    public long DroppedQuota { get; init; }

    /// <summary>Gets the batches that could not be kept because the spill's disk was full or failing.</summary>
    public long DroppedDiskFull { get; init; }

    /// <summary>Gets the spill records found damaged when read back in this run.</summary>
    public long Damaged { get; init; }

    /// <summary>Gets what the ledger is out by (0 when every batch is accounted for).</summary>
    public long Imbalance => Recovered + Built - (Acked + DeadLettered + PendingMemory + PendingSpill + DroppedQuota + DroppedDiskFull + Damaged);

    /// <summary>Gets a value indicating whether every batch is accounted for.</summary>
    public bool Balanced => Imbalance == 0;

    /// <inheritdoc/>
    public override string ToString() =>
        $"recovered {Recovered} + built {Built} = acked {Acked} + dead_lettered {DeadLettered} + pending_memory {PendingMemory} + pending_spill {PendingSpill} + dropped_quota {DroppedQuota} + dropped_disk_full {DroppedDiskFull} + damaged {Damaged}{(Balanced ? string.Empty : $" (out by {Imbalance})")}";
}
