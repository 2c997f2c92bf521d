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

    public SpillPosition AckMark { get; set; }

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

    /// <summary>Scans the directory.</summary>
    public static SpillDirectoryScan Scan(string directory, ISpillRecordVisitor? visitor)
    {
        string quarantine = Path.Combine(directory, QuarantineDirectory);
        var scan = new SpillDirectoryScan
        {
            PreviouslyQuarantined = System.IO.Directory.Exists(quarantine) ? System.IO.Directory.GetFiles(quarantine).Length : 0,
        };
        scan.AckStatus = SpillAckFile.Read(directory, out SpillPosition mark);
        scan.AckMark = mark;

        var named = new List<(ulong Number, string Path)>();
        foreach (string path in System.IO.Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
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
                segment = SpillSegmentScanner.Scan(path, number, visitor);
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
