using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

/// <summary>What recovery hands the spill: the segments kept, the mark, the numbering and the report.</summary>
/// <param name="Segments">The segments kept, oldest first, with acknowledged records settled.</param>
/// <param name="DiskBytes">Their bytes.</param>
/// <param name="Mark">The persisted low-water mark (the start when the acknowledgement file was missing or damaged).</param>
/// <param name="NextSegmentNumber">The number the next new segment takes.</param>
/// <param name="NextOrdinal">The ordinal the next record takes.</param>
/// <param name="Resumed">The newest segment opened for appending at its end, or null (the first append rolls).</param>
/// <param name="Report">What the scan found (the record counts are filled in once the index is built).</param>
internal sealed record SpillRecovered(
    List<SpillSegment> Segments,
    long DiskBytes,
    SpillPosition Mark,
    ulong NextSegmentNumber,
    ulong NextOrdinal,
    FileStream? Resumed,
    SpillRecovery Report);

/// <summary>
/// Opening the spill: the directory (mode 0700, probed), then recovery of whatever a crash or damaged media
/// left behind. Bad data never throws (it is skipped, truncated or quarantined, and counted); only an unusable
/// directory does.
/// </summary>
internal sealed class SpillRecoverer
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _directory;
    private readonly SpillOptions _options;
    private readonly ILogger _logger;

    private SpillRecoverer(string directory, SpillOptions options, ILogger logger)
    {
        _directory = directory;
        _options = options;
        _logger = logger;
    }

    /// <summary>Creates the directory if needed (mode 0700) and checks that a file can be created in it.</summary>
    /// <param name="directory">The resolved spill directory.</param>
    /// <exception cref="IOException">It cannot be created or written (the message names it and the fix).</exception>
    public static void PrepareDirectory(string directory)
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

    /// <summary>The error for a directory that cannot be used, with the fix.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="ex">What failed.</param>
    /// <returns>The exception to throw.</returns>
    public static IOException Unusable(string directory, Exception ex) => new(
        $"The spill directory '{directory}' is not usable: {ex.Message} Fix: create it owned by the agent's user with mode 0700 " +
        $"(install -d -m 0700 -o edge-agent '{directory}'), or set spill.directory to a writable path.",
        ex);

    /// <summary>Scans the (locked) directory and repairs it: quarantine, torn-tail truncation, stale files deleted.</summary>
    /// <param name="directory">The resolved spill directory.</param>
    /// <param name="options">The spill options.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>What was found.</returns>
    public static SpillRecovered Recover(string directory, SpillOptions options, ILogger logger) =>
        new SpillRecoverer(directory, options, logger).Recover();

    /// <summary>Creates a directory (and parents) and sets it to mode 0700 when it is ours.</summary>
    private static void CreatePrivateDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
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

    private SpillRecovered Recover()
    {
        SpillDirectoryScan scan = SpillDirectoryScanner.Scan(_directory, visitor: null, _options.SegmentBytes);
        int quarantined = 0;
        foreach (SpillRejectedFile rejected in scan.Rejected)
        {
            quarantined += Quarantine(rejected.Path, rejected.Reason) ? 1 : 0;
        }

        SpillPosition mark = scan.AckStatus == SpillAckStatus.Ok ? scan.AckMark : SpillPosition.Start;
        if (scan.AckStatus == SpillAckStatus.Damaged)
        {
            string ackPath = Path.Combine(_directory, SpillAckFile.FileName);
            SpillLogMessages.AckFileDamaged(_logger, ackPath);
            quarantined += Quarantine(ackPath, "unreadable acknowledgement file") ? 1 : 0;
        }

        TryDelete(Path.Combine(_directory, SpillAckFile.TempFileName));
        int tornTails = 0;
        long tornBytes = 0;
        if (scan.TornNewestFile is not null && TryDelete(scan.TornNewestFile))
        {
            tornTails++;
            SpillLogMessages.TornTailTruncated(_logger, scan.TornNewestFile, 0);
        }

        var segments = new List<SpillSegment>();
        long diskBytes = 0;
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

            segments.Add(segment);
            diskBytes += length;
        }

        SpillSegment? last = segments.Count > 0 ? segments[^1] : null;
        FileStream? resumed = null;
        if (last is not null && last.Number == newest!.Number && last.Length < _options.SegmentBytes && (last.Number != mark.Segment || mark.Offset <= last.Length))
        {
            resumed = TryResume(last);
        }

        if (scan.CorruptRecords > 0 || scan.CorruptBytes > 0)
        {
            SpillLogMessages.CorruptRecordsSkipped(_logger, _directory, scan.CorruptRecords, scan.CorruptBytes);
        }

        var report = new SpillRecovery
        {
            SegmentsScanned = scan.Segments.Count,
            TornTailsTruncated = tornTails,
            TornTailBytes = tornBytes,
            CorruptRecordsSkipped = scan.CorruptRecords,
            CorruptBytes = scan.CorruptBytes,
            FilesQuarantined = quarantined,
            AckFileDamaged = scan.AckStatus == SpillAckStatus.Damaged,
        };
        return new SpillRecovered(
            segments,
            diskBytes,
            mark,
            Math.Max(scan.HighestNumber, mark.Segment) + 1,
            newest?.NextOrdinal ?? 0,
            resumed,
            report);
    }

    private FileStream? TryResume(SpillSegment last)
    {
        FileStream? stream = null;
        try
        {
            stream = new FileStream(last.Path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
            stream.Position = last.Length;
            return stream;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            SpillLogMessages.FileIgnored(_logger, last.Path, ex);
            return null;
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
        string quarantine = Path.Combine(_directory, SpillDirectoryScanner.QuarantineDirectory);
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
                Directory.Move(path, target);
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
