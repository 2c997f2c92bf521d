using System.Globalization;

namespace EdgeAgent.Spill;

/// <summary>A file the spill will not use, and why.</summary>
internal readonly record struct SpillRejectedFile(string Path, string Reason);

/// <summary>What scanning a spill directory found; nothing is modified by the scan.</summary>
internal sealed class SpillDirectoryScan
{
    /// <summary>Gets the segments with an intact header, by number.</summary>
    public List<SpillSegmentScan> Segments { get; } = [];

    /// <summary>Gets the files that are not segments (recovery quarantines them).</summary>
    public List<SpillRejectedFile> Rejected { get; } = [];

    /// <summary>Gets or sets the newest segment file when it is shorter than a header (a crash right after it was created).</summary>
    public string? TornNewestFile { get; set; }

    public SpillAckStatus AckStatus { get; set; }

    /// <summary>Gets or sets what the acknowledgement file says is acknowledged (nothing when it is missing or damaged).</summary>
    public SpillAcknowledged Acknowledged { get; set; } = SpillAcknowledged.None;

    /// <summary>Gets the low-water mark from the acknowledgement file.</summary>
    public SpillPosition AckMark => Acknowledged.Mark;

    /// <summary>Gets or sets the highest segment number in any segment-named file (the next segment is numbered above it).</summary>
    public ulong HighestNumber { get; set; }

    /// <summary>Gets or sets the records lost to damage, counted from the ordinal gaps within and between segments.</summary>
    public long CorruptRecords { get; set; }

    public long CorruptBytes { get; set; }

    /// <summary>Gets the already-quarantined files.</summary>
    public int PreviouslyQuarantined { get; init; }

    /// <summary>Gets the newest segment's bytes after its last intact record (recovery truncates them).</summary>
    public long TornTailBytes => Segments.Count == 0 ? 0 : Segments[^1].TailBytes;
}

/// <summary>Classifies the files of a spill directory and scans its segments (read-only; shared by recovery and <c>spill inspect</c>).</summary>
internal static class SpillDirectoryScanner
{
    public const string SegmentExtension = ".seg";
    public const string QuarantineDirectory = "quarantine";
    private const int NumberDigits = 20;

    /// <summary>Gets the file name of a segment.</summary>
    public static string SegmentFileName(ulong number) => number.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension;

    /// <summary>Parses a segment file name.</summary>
    public static bool TryParseSegmentName(string fileName, out ulong number)
    {
        number = 0;
        return fileName.Length == NumberDigits + SegmentExtension.Length
            && fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)
            && fileName.AsSpan(0, NumberDigits).IndexOfAnyExceptInRange('0', '9') < 0
            && ulong.TryParse(fileName.AsSpan(0, NumberDigits), NumberStyles.None, CultureInfo.InvariantCulture, out number)
            && number > 0;
    }

    /// <summary>Gets the subdirectory of the dead-letter spill.</summary>
    public const string DeadLetterDirectory = "dead-letter";

    private static bool IsSpillFileName(string name) =>
        name is SpillAckFile.FileName or SpillAckFile.TempFileName || TryParseSegmentName(name, out _);

    private static string TypeName(SpillFileType type) => type switch
    {
        SpillFileType.Directory => "a directory",
        SpillFileType.SymbolicLink => "a symbolic link",
        _ => "a FIFO, socket or device",
    };

    /// <summary>The segment size <c>spill inspect</c> and <c>export</c> assume when they do not know the configuration: the largest spill.segment_bytes allowed.</summary>
    public const long AnySegmentBytes = 1L << 32;

    /// <summary>Scans the directory.</summary>
    /// <param name="directory">The spill directory.</param>
    /// <param name="visitor">Sees every intact record, or null.</param>
    /// <param name="maxSegmentBytes">spill.segment_bytes (bounds how much of each segment is read).</param>
    public static SpillDirectoryScan Scan(string directory, ISpillRecordVisitor? visitor, long maxSegmentBytes = AnySegmentBytes)
    {
        string quarantine = Path.Combine(directory, QuarantineDirectory);
        var scan = new SpillDirectoryScan
        {
            PreviouslyQuarantined = System.IO.Directory.Exists(quarantine) ? System.IO.Directory.GetFiles(quarantine).Length : 0,
        };
        scan.AckStatus = SpillAckFile.Read(directory, out SpillAcknowledged acknowledged);
        scan.Acknowledged = acknowledged;

        var named = new List<(ulong Number, string Path)>();
        foreach (string path in System.IO.Directory.EnumerateFileSystemEntries(directory))
        {
            string name = Path.GetFileName(path);
            SpillFileType type = SpillNative.TypeOf(path);
            if (type == SpillFileType.Directory && !IsSpillFileName(name))
            {
                continue; // quarantine/, dead-letter/, or someone else's directory: not ours to touch
            }

            if (type != SpillFileType.Regular)
            {
                // Never opened: a FIFO would block recovery, a link could point anywhere. The lock file is the
                // lock's business (it refuses a non-regular one by name).
                if (name != SpillDirectoryLock.FileName && type != SpillFileType.Missing)
                {
                    scan.Rejected.Add(new(path, $"not a regular file ({TypeName(type)})"));
                }

                continue;
            }

            if (name is SpillAckFile.FileName or SpillAckFile.TempFileName or SpillDirectoryLock.FileName)
            {
                continue;
            }

            if (TryParseSegmentName(name, out ulong number))
            {
                named.Add((number, path));
                scan.HighestNumber = Math.Max(scan.HighestNumber, number);
            }
            else
            {
                scan.Rejected.Add(new(path, "not a segment file name"));
            }
        }

        named.Sort((a, b) => a.Number.CompareTo(b.Number));
        ulong? expected = null;
        for (int i = 0; i < named.Count; i++)
        {
            (ulong number, string path) = named[i];
            SpillSegmentScan segment;
            try
            {
                segment = SpillSegmentScanner.Scan(path, number, visitor, maxSegmentBytes);
            }
            catch (IOException ex)
            {
                scan.Rejected.Add(new(path, "unreadable: " + ex.Message));
                continue;
            }
            catch (UnauthorizedAccessException ex)
            {
                scan.Rejected.Add(new(path, "unreadable: " + ex.Message));
                continue;
            }

            if (segment.HeaderStatus != SpillDecodeStatus.Ok)
            {
                bool newest = i == named.Count - 1;
                if (newest && segment.FileLength < SpillRecordCodec.SegmentHeaderBytes && segment.HeaderStatus == SpillDecodeStatus.Truncated)
                {
                    scan.TornNewestFile = path;
                }
                else
                {
                    scan.Rejected.Add(new(path, $"bad segment header ({segment.HeaderStatus})"));
                }

                continue;
            }

            if (expected is ulong next && segment.FirstOrdinal > next)
            {
                scan.CorruptRecords += (long)(segment.FirstOrdinal - next);
            }

            scan.CorruptRecords += segment.CorruptRecords;
            scan.CorruptBytes += segment.CorruptBytes;
            expected = segment.NextOrdinal;
            scan.Segments.Add(segment);
        }

        // A non-newest segment's bytes after its last intact record are damage (the next header's ordinal counted them).
        for (int i = 0; i < scan.Segments.Count - 1; i++)
        {
            scan.CorruptBytes += scan.Segments[i].TailBytes;
        }

        return scan;
    }
}
