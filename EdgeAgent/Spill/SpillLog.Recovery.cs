using EdgeAgent.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

/// <summary>Opening: the directory, then recovery of whatever a crash or damaged media left behind.</summary>
internal sealed partial class SpillLog
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Opens (creating if needed) the spill and recovers it. Bad data never throws: it is skipped, truncated or quarantined, and counted.</summary>
    /// <param name="options">The spill options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="time">The clock of the commit timer.</param>
    /// <returns>The open log.</returns>
    /// <exception cref="IOException">The directory cannot be created, listed or written (the message names it and the fix).</exception>
    public static SpillLog Open(SpillOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        string directory = SpillPaths.Resolve(options.Directory);
        PrepareDirectory(directory);
        SpillDirectoryLock held = SpillDirectoryLock.Acquire(directory);
        SpillLog log;
        try
        {
            log = new SpillLog(options, directory, logger, time);
        }
        catch
        {
            held.Dispose();
            throw;
        }

        log._lock = held;
        try
        {
            lock (log._gate)
            {
                log.Recover();
            }

            return log;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.Abandon();
            throw Unusable(directory, ex);
        }
    }

    private static void PrepareDirectory(string directory)
    {
        try
        {
            CreatePrivateDirectory(directory);

            using (File.Create(Path.Combine(directory, ".probe"), 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unusable(directory, ex);
        }
    }

    /// <summary>Creates a directory (and parents) and sets it to mode 0700 when it is ours.</summary>
    private static void CreatePrivateDirectory(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            File.SetUnixFileMode(directory, DirectoryMode);
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours (a shared, pre-created directory): usable as long as it is writable, which the caller checks.
        }
    }

    private static IOException Unusable(string directory, Exception ex) => new(
        $"The spill directory '{directory}' is not usable: {ex.Message} Fix: create it owned by the agent's user with mode 0700 " +
        $"(install -d -m 0700 -o edge-agent '{directory}'), or set spill.directory to a writable path.",
        ex);

    private void Recover()
    {
        SpillDirectoryScan scan = SpillDirectoryScanner.Scan(Directory, visitor: null, _options.SegmentBytes);
        int quarantined = 0;
        foreach (SpillRejectedFile rejected in scan.Rejected)
        {
            quarantined += Quarantine(rejected.Path, rejected.Reason) ? 1 : 0;
        }

        SpillPosition mark = scan.AckStatus == SpillAckStatus.Ok ? scan.AckMark : SpillPosition.Start;
        if (scan.AckStatus == SpillAckStatus.Damaged)
        {
            string ackPath = Path.Combine(Directory, SpillAckFile.FileName);
            SpillLogMessages.AckFileDamaged(_logger, ackPath);
            quarantined += Quarantine(ackPath, "unreadable acknowledgement file") ? 1 : 0;
        }

        TryDelete(Path.Combine(Directory, SpillAckFile.TempFileName));
        int tornTails = 0;
        long tornBytes = 0;
        if (scan.TornNewestFile is not null && TryDelete(scan.TornNewestFile))
        {
            tornTails++;
            SpillLogMessages.TornTailTruncated(_logger, scan.TornNewestFile, 0);
        }

        SpillSegmentScan? newest = scan.Segments.Count > 0 ? scan.Segments[^1] : null;
        foreach (SpillSegmentScan found in scan.Segments)
        {
            if (found.Number < mark.Segment)
            {
                TryDelete(found.Path); // wholly acknowledged; its deletion did not reach the disk
                continue;
            }

            long length = found.FileLength;
            if (found == newest && found.TailBytes > 0 && TryTruncate(found.Path, found.LastGoodEnd))
            {
                tornTails++;
                tornBytes = found.TailBytes;
                length = found.LastGoodEnd;
                SpillLogMessages.TornTailTruncated(_logger, found.Path, tornBytes);
            }

            var segment = new SpillSegment(found.Number, found.Path, found.Records, length);
            if (found.Number == mark.Segment)
            {
                for (int i = 0; i < segment.Records.Count && segment.Records[i].Offset < mark.Offset; i++)
                {
                    segment.Settle(i, SpillSlotState.Acked);
                }
            }

            if (scan.AckStatus == SpillAckStatus.Ok)
            {
                SettleRanges(segment, scan.Acknowledged.Ranges);
            }

            _segments.Add(segment);
            _diskBytes += length;
        }

        _nextOrdinal = newest?.NextOrdinal ?? 0;
        _nextSegmentNumber = Math.Max(scan.HighestNumber, mark.Segment) + 1;
        SpillSegment? last = _segments.Count > 0 ? _segments[^1] : null;
        if (last is not null && last.Number == newest!.Number && last.Length < _options.SegmentBytes && (last.Number != mark.Segment || mark.Offset <= last.Length))
        {
            TryResume(last);
        }

        _committedThrough = last is null ? SpillPosition.Start : new SpillPosition(last.Number, last.Length);
        _markSegment = mark.Segment;
        _markIndex = 0;
        AdvanceMark();
        _persistedMark = mark;
        _quarantined = quarantined;
        _tornTails = tornTails;
        _corrupt = scan.CorruptRecords;
        _ = TryCommitLocked(); // a full disk does not stop the agent from starting: the spill starts unwritable

        _ = SpillNative.FsyncDirectory(Directory);

        long pending = 0;
        long records = 0;
        foreach (SpillSegment segment in _segments)
        {
            pending += segment.Pending;
            records += segment.Records.Count;
        }

        Recovery = new SpillRecovery
        {
            SegmentsScanned = scan.Segments.Count,
            RecordsRecovered = records,
            PendingRecords = pending,
            TornTailsTruncated = tornTails,
            TornTailBytes = tornBytes,
            CorruptRecordsSkipped = scan.CorruptRecords,
            CorruptBytes = scan.CorruptBytes,
            FilesQuarantined = quarantined,
            AckFileDamaged = scan.AckStatus == SpillAckStatus.Damaged,
            Bytes = _diskBytes,
        };
        if (scan.CorruptRecords > 0 || scan.CorruptBytes > 0)
        {
            SpillLogMessages.CorruptRecordsSkipped(_logger, Directory, scan.CorruptRecords, scan.CorruptBytes);
        }

        SpillLogMessages.Opened(_logger, Directory, _segments.Count, records, pending, _diskBytes, scan.CorruptRecords, quarantined, tornTails);
    }

    /// <summary>Settles the records of <paramref name="segment"/> that the acknowledgement file lists beyond the mark.</summary>
    private static void SettleRanges(SpillSegment segment, IReadOnlyList<SpillAckRange> ranges)
    {
        foreach (SpillAckRange range in ranges)
        {
            if (range.Segment != segment.Number)
            {
                continue;
            }

            List<SpillRecordSlot> records = segment.Records;
            for (int i = FirstAtOrAfter(records, range.First); i < records.Count && records[i].Offset <= range.Last; i++)
            {
                segment.Settle(i, SpillSlotState.Acked);
            }
        }
    }

    private static int FirstAtOrAfter(List<SpillRecordSlot> records, long offset)
    {
        int lo = 0;
        int hi = records.Count;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (records[mid].Offset < offset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void TryResume(SpillSegment last)
    {
        try
        {
            _writer = new FileStream(last.Path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
            _writer.Position = last.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _writer?.Dispose();
            _writer = null;
            SpillLogMessages.FileIgnored(_logger, last.Path, ex);
        }
    }

    private bool TryTruncate(string path, long length)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
            stream.SetLength(length);
            if (_options.Fsync)
            {
                stream.Flush(flushToDisk: true);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            SpillLogMessages.FileIgnored(_logger, path, ex);
            return false;
        }
    }

    private bool TryDelete(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            SpillLogMessages.FileIgnored(_logger, path, ex);
            return false;
        }
    }

    private bool Quarantine(string path, string reason)
    {
        string quarantine = Path.Combine(Directory, SpillDirectoryScanner.QuarantineDirectory);
        try
        {
            CreatePrivateDirectory(quarantine);
            string name = Path.GetFileName(path);
            string target = Path.Combine(quarantine, name);
            for (int n = 1; SpillNative.TypeOf(target) != SpillFileType.Missing; n++)
            {
                target = Path.Combine(quarantine, $"{name}.{n}");
            }

            if (SpillNative.TypeOf(path) == SpillFileType.Directory)
            {
                System.IO.Directory.Move(path, target);
            }
            else
            {
                File.Move(path, target); // rename(2): moves a FIFO, socket or link without opening it
            }

            SpillLogMessages.FileQuarantined(_logger, path, quarantine, reason);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            SpillLogMessages.FileIgnored(_logger, path, ex);
            return false;
        }
    }
}
