using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

/// <summary>Log messages of the spill (event ids 300-399). Payloads are never logged.</summary>
internal static partial class SpillLogMessages
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Spill {Directory} opened: {Segments} segments, {Records} records ({Pending} pending), {Bytes} bytes; {Corrupt} damaged records skipped, {Quarantined} files quarantined, {TornTails} torn tails truncated")]
    public static partial void Opened(ILogger logger, string directory, int segments, long records, long pending, long bytes, long corrupt, int quarantined, int tornTails);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Spill segment {Path}: torn tail of {Bytes} bytes after the last intact record truncated (a crash during a write)")]
    public static partial void TornTailTruncated(ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Spill {Directory}: {Records} damaged records ({Bytes} bytes) skipped; the intact records around them are kept")]
    public static partial void CorruptRecordsSkipped(ILogger logger, string directory, long records, long bytes);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Spill file {Path} moved to {Quarantine}: {Reason}")]
    public static partial void FileQuarantined(ILogger logger, string path, string quarantine, string reason);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Spill acknowledgement file {Path} is unreadable; replaying from the oldest record (the receiver de-duplicates)")]
    public static partial void AckFileDamaged(ILogger logger, string path);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Spill quota of {QuotaBytes} bytes reached: oldest segment {Segment} deleted with {Dropped} unacknowledged batches ({Bytes} bytes)")]
    public static partial void SegmentDropped(ILogger logger, long quotaBytes, ulong segment, int dropped, long bytes);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "Spill segment {Segment}: the record at offset {Offset} is damaged ({Status}) when read back; skipped")]
    public static partial void CorruptRecordRead(ILogger logger, ulong segment, long offset, SpillDecodeStatus status);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning, Message = "Spill file {Path} could not be quarantined or removed; it is ignored")]
    public static partial void FileIgnored(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Spill {Directory} cannot be written ({Reason}): {FreeBytes} bytes free on its filesystem, quota {QuotaBytes} bytes, {SpillBytes} bytes in the spill. New batches are delivered from memory or counted as dropped (disk_full) until a retry (every {RetryMs} ms) succeeds; free space on that filesystem or lower spill.quota_bytes")]
    public static partial void Unwritable(ILogger logger, string directory, string reason, long freeBytes, long quotaBytes, long spillBytes, long retryMs);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Spill {Directory} is writable again after {Seconds:F1} s; {Refused} batches were refused meanwhile (delivered from memory or counted as dropped); {FreeBytes} bytes free")]
    public static partial void Writable(ILogger logger, string directory, double seconds, long refused, long freeBytes);

    [LoggerMessage(EventId = 312, Level = LogLevel.Error, Message = "Spill {Directory}: {Records} batches still in the commit buffer could not be written at close ({Reason}) and are counted as dropped (disk_full)")]
    public static partial void LostAtClose(ILogger logger, string directory, long records, string reason);
}
