namespace EdgeAgent.Spill;

/// <summary>Exact counters of a <see cref="SpillLog"/> since it was opened (gauges: pending records, disk bytes).</summary>
internal readonly record struct SpillStatistics
{
    /// <summary>Gets the records appended.</summary>
    public long Appended { get; init; }

    /// <summary>Gets the appended records made durable by a commit.</summary>
    public long Committed { get; init; }

    /// <summary>Gets the records acknowledged (each counted once).</summary>
    public long Acknowledged { get; init; }

    /// <summary>Gets the unacknowledged records deleted by the quota.</summary>
    public long DroppedBatches { get; init; }

    /// <summary>Gets the segments deleted by the quota.</summary>
    public long DroppedSegments { get; init; }

    /// <summary>Gets the damaged records skipped (at recovery and when read).</summary>
    public long CorruptRecordsSkipped { get; init; }

    /// <summary>Gets the files moved to <c>quarantine/</c>.</summary>
    public long QuarantinedFiles { get; init; }

    /// <summary>Gets the torn segment tails truncated at recovery.</summary>
    public long TornTailsTruncated { get; init; }

    /// <summary>Gets the records neither acknowledged, dropped nor found corrupt.</summary>
    public long PendingRecords { get; init; }

    /// <summary>Gets the claimed records whose segment the quota deleted while their send was under way (held only in memory now).</summary>
    public int Orphaned { get; init; }

    /// <summary>Gets the appends refused because the spill could not be written (the caller kept or counted the batch).</summary>
    public long Refused { get; init; }

    /// <summary>Gets the appended records lost at close because the disk stayed full (they were only in the commit buffer).</summary>
    public long DroppedDiskFull { get; init; }

    /// <summary>Gets a value indicating whether the spill is unwritable (disk full or failing) now.</summary>
    public bool Unwritable { get; init; }

    /// <summary>Gets the times the spill became unwritable.</summary>
    public long UnwritableEpisodes { get; init; }

    /// <summary>Gets the bytes of every segment, including appended bytes not yet written.</summary>
    public long DiskBytes { get; init; }
}

/// <summary>What recovery found when the spill was opened.</summary>
internal sealed record SpillRecovery
{
    /// <summary>Gets the segment files scanned.</summary>
    public int SegmentsScanned { get; init; }

    /// <summary>Gets the intact records found (acknowledged or not).</summary>
    public long RecordsRecovered { get; init; }

    /// <summary>Gets the intact records not yet acknowledged (they are replayed).</summary>
    public long PendingRecords { get; init; }

    /// <summary>Gets the torn tails truncated (at most one: the last segment's).</summary>
    public int TornTailsTruncated { get; init; }

    /// <summary>Gets the bytes cut off by the truncation.</summary>
    public long TornTailBytes { get; init; }

    /// <summary>Gets the records lost to damage (counted exactly from the record ordinals).</summary>
    public long CorruptRecordsSkipped { get; init; }

    /// <summary>Gets the damaged bytes skipped.</summary>
    public long CorruptBytes { get; init; }

    /// <summary>Gets the files moved to <c>quarantine/</c>.</summary>
    public int FilesQuarantined { get; init; }

    /// <summary>Gets a value indicating whether the acknowledgement file was unreadable (replay starts at the oldest record).</summary>
    public bool AckFileDamaged { get; init; }

    /// <summary>Gets the bytes of the segments kept.</summary>
    public long Bytes { get; init; }
}
