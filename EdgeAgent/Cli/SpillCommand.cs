using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeAgent.Spill;

namespace EdgeAgent.Cli;

/// <summary><c>edge-agent spill inspect|export DIR</c>: read-only views of a spill directory (nothing is truncated, quarantined or deleted).</summary>
internal static class SpillCommand
{
    /// <summary>Creates the verb.</summary>
    /// <param name="payloadToJson">Renders a batch payload as JSON for <c>export</c>; null writes it as base64.</param>
    /// <returns>The command.</returns>
    public static Command Create(Func<ReadOnlyMemory<byte>, string>? payloadToJson = null)
    {
        var command = new Command("spill", "Inspect or export a spill directory (read-only; safe while the agent runs).");
        command.Subcommands.Add(CreateInspect());
        command.Subcommands.Add(CreateExport(payloadToJson));
        return command;
    }

    private static Command CreateInspect()
    {
        var dir = new Argument<string>("dir") { Description = "The spill directory." };
        var command = new Command("inspect", "Print segments, records, pending batches, the acknowledgement mark, per-stream seq ranges and damage counts.") { dir };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(dir)!;
            if (!Directory.Exists(path))
            {
                Console.Error.WriteLine($"{path}: no such spill directory");
                return CliExit.NoInput;
            }

            _ = SpillAckFile.Read(path, out SpillAcknowledged acknowledged);
            var summary = new InspectVisitor(acknowledged);
            SpillDirectoryScan scan = SpillDirectoryScanner.Scan(path, summary);
            Console.Out.Write(summary.Format(path, scan));
            return 0;
        });
        return command;
    }

    private static Command CreateExport(Func<ReadOnlyMemory<byte>, string>? payloadToJson)
    {
        var dir = new Argument<string>("dir") { Description = "The spill directory." };
        var format = new Option<string>("--format") { Description = "Output format (jsonl: one JSON object per record).", DefaultValueFactory = _ => "jsonl" };
        var output = new Option<string?>("--out") { Description = "Write to this file instead of stdout." };
        var all = new Option<bool>("--all") { Description = "Include records below the acknowledgement mark (already delivered)." };
        var command = new Command("export", "Export the records of a spill directory, oldest first.") { dir, format, output, all };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(dir)!;
            if (parse.GetValue(format) != "jsonl")
            {
                Console.Error.WriteLine($"--format {parse.GetValue(format)}: unsupported; use --format jsonl");
                return CliExit.Usage;
            }

            if (!Directory.Exists(path))
            {
                Console.Error.WriteLine($"{path}: no such spill directory");
                return CliExit.NoInput;
            }

            _ = SpillAckFile.Read(path, out SpillAcknowledged acknowledged);
            string? outPath = parse.GetValue(output);
            using Stream stream = outPath is null ? Console.OpenStandardOutput() : new FileStream(outPath, FileMode.Create, FileAccess.Write);
            using var writer = new Utf8JsonWriter(stream);
            var exporter = new ExportVisitor(writer, stream, payloadToJson, parse.GetValue(all) ? SpillAcknowledged.None : acknowledged);
            _ = SpillDirectoryScanner.Scan(path, exporter);
            writer.Flush();
            return 0;
        });
        return command;
    }

    private sealed class ExportVisitor(Utf8JsonWriter writer, Stream stream, Func<ReadOnlyMemory<byte>, string>? payloadToJson, SpillAcknowledged skip) : ISpillRecordVisitor
    {
        public void OnRecord(ulong segment, long offset, in SpillRecordView record)
        {
            if (skip.IsAcknowledged(new SpillPosition(segment, offset)))
            {
                return;
            }

            writer.WriteStartObject();
            writer.WriteString("robot_id", record.RobotId);
            writer.WriteString("boot_id", record.BootId);
            writer.WriteNumber("seq", record.Seq);
            writer.WriteString("position", new SpillPosition(segment, offset).ToString());
            if (payloadToJson is null)
            {
                writer.WriteBase64String("payload_base64", record.Payload);
            }
            else
            {
                writer.WritePropertyName("payload");
                writer.WriteRawValue(payloadToJson(record.Payload.ToArray()));
            }

            writer.WriteEndObject();
            writer.Flush();
            writer.Reset();
            stream.WriteByte((byte)'\n');
        }
    }

    private sealed class InspectVisitor(SpillAcknowledged acknowledged) : ISpillRecordVisitor
    {
        private readonly Dictionary<(string Robot, string Boot), StreamSummary> _streams = [];
        private long _records;
        private long _pending;
        private string? _oldestPending;
        private string? _newest;

        public void OnRecord(ulong segment, long offset, in SpillRecordView record)
        {
            var position = new SpillPosition(segment, offset);
            string robot = SpillRecordCodec.DecodeId(record.RobotId);
            string boot = SpillRecordCodec.DecodeId(record.BootId);
            _records++;
            string key = string.Create(CultureInfo.InvariantCulture, $"robot {robot} boot {boot} seq {record.Seq} at {position}");
            if (!acknowledged.IsAcknowledged(position))
            {
                _pending++;
                _oldestPending ??= key;
            }

            _newest = key;
            if (!_streams.TryGetValue((robot, boot), out StreamSummary? summary))
            {
                summary = new StreamSummary { MinSeq = record.Seq, MaxSeq = record.Seq };
                _streams.Add((robot, boot), summary);
            }

            summary.Records++;
            summary.MinSeq = Math.Min(summary.MinSeq, record.Seq);
            summary.MaxSeq = Math.Max(summary.MaxSeq, record.Seq);
        }

        public string Format(string path, SpillDirectoryScan scan)
        {
            var text = new StringBuilder();
            IFormatProvider c = CultureInfo.InvariantCulture;
            long bytes = scan.Segments.Sum(s => s.FileLength);
            text.Append(c, $"spill: {Path.GetFullPath(path)}\n");
            text.Append(c, $"segments: {scan.Segments.Count}");
            if (scan.Segments.Count > 0)
            {
                text.Append(c, $" ({scan.Segments[0].Number}..{scan.Segments[^1].Number})");
            }

            text.Append(c, $", {bytes} bytes\n");
            text.Append(c, $"records: {_records} intact, {_pending} pending, {_records - _pending} acknowledged\n");
            text.Append(c, $"ack mark: {(scan.AckStatus switch { SpillAckStatus.Ok => acknowledged.Ranges.Count == 0 ? acknowledged.Mark.ToString() : $"{acknowledged.Mark} and {acknowledged.Ranges.Count} run(s) acknowledged beyond it", SpillAckStatus.Missing => "none", _ => "damaged (replay starts at the oldest record)" })}\n");
            text.Append(c, $"oldest pending: {_oldestPending ?? "-"}\n");
            text.Append(c, $"newest: {_newest ?? "-"}\n");
            text.Append(c, $"corrupt records: {scan.CorruptRecords} ({scan.CorruptBytes} bytes skipped)\n");
            text.Append(c, $"torn tail: {scan.TornTailBytes} bytes{(scan.TornNewestFile is null ? string.Empty : ", plus an empty newest segment")}\n");
            text.Append(c, $"not segments: {scan.Rejected.Count} (recovery would quarantine them)\n");
            foreach (SpillRejectedFile rejected in scan.Rejected)
            {
                text.Append(c, $"  {Path.GetFileName(rejected.Path)}: {rejected.Reason}\n");
            }

            text.Append(c, $"quarantined: {scan.PreviouslyQuarantined}\n");
            text.Append(c, $"streams: {_streams.Count}\n");
            foreach (((string robot, string boot), StreamSummary s) in _streams.OrderBy(p => p.Key.Robot, StringComparer.Ordinal).ThenBy(p => p.Key.Boot, StringComparer.Ordinal))
            {
                text.Append(c, $"  robot {robot} boot {boot}: {s.Records} records, seq {s.MinSeq}..{s.MaxSeq}\n");
            }

            return text.ToString();
        }

        private sealed class StreamSummary
        {
            public long Records { get; set; }

            public ulong MinSeq { get; set; }

            public ulong MaxSeq { get; set; }
        }
    }
}
