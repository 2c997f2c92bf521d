using System.Text;

namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>The <c>level</c> of a <c>diagnostic_msgs/msg/DiagnosticStatus</c> (its byte constants).</summary>
internal enum DiagnosticLevel : byte
{
    /// <summary>OK = 0.</summary>
    Ok = 0,

    /// <summary>WARN = 1.</summary>
    Warn = 1,

    /// <summary>ERROR = 2.</summary>
    Error = 2,

    /// <summary>STALE = 3.</summary>
    Stale = 3,
}

/// <summary><c>diagnostic_msgs/msg/DiagnosticStatus</c>: {byte level, string name, string message, string hardware_id, KeyValue[] values}.</summary>
/// <param name="Level">OK, WARN, ERROR or STALE.</param>
/// <param name="Name">What is reported on, such as <c>edge_agent: motor loop</c> (rqt_robot_monitor groups by the prefix before ':').</param>
/// <param name="Message">One human line.</param>
/// <param name="HardwareId">The robot.</param>
/// <param name="Values">The figures behind the level, as <c>diagnostic_msgs/msg/KeyValue</c> {string key, string value}.</param>
internal sealed record DiagnosticStatus(DiagnosticLevel Level, string Name, string Message, string HardwareId, IReadOnlyList<KeyValuePair<string, string>> Values);

/// <summary>
/// <c>diagnostic_msgs/msg/DiagnosticArray</c>: {Header header, DiagnosticStatus[] status}, what <c>/diagnostics</c>
/// carries and rqt_robot_monitor and the diagnostic_aggregator read. Published once a second off the hot path, so
/// it holds ordinary strings; decoding bounds every string and sequence against the input.
/// </summary>
internal sealed class DiagnosticArrayMessage : ICdrMessage
{
    /// <summary>Largest string decoded, in UTF-8 bytes. The default value is 4096.</summary>
    public const int MaxStringBytes = 4096;

    /// <summary>Largest number of statuses (or values in one status) decoded. The default value is 256.</summary>
    public const int MaxEntries = 256;

    private const int MinKeyValueSize = 10; // two empty strings: 4 + NUL, pad, 4 + NUL
    private const int MinStatusSize = 25; // level, three empty strings, an empty sequence

    /// <summary>Gets the header (stamp: the wall clock at publication; frame id empty, as diagnostic_updater).</summary>
    public HeaderMessage Header { get; } = new();

    /// <summary>Gets the statuses.</summary>
    public List<DiagnosticStatus> Status { get; } = [];

    /// <inheritdoc />
    public void Read(ref CdrReader reader)
    {
        Header.Read(ref reader);
        Status.Clear();
        int count = reader.ReadCount(MinStatusSize, MaxEntries);
        for (int i = 0; i < count && reader.IsOk; i++)
        {
            var level = reader.ReadByte();
            string name = ReadText(ref reader);
            string message = ReadText(ref reader);
            string hardwareId = ReadText(ref reader);
            int values = reader.ReadCount(MinKeyValueSize, MaxEntries);
            var list = new List<KeyValuePair<string, string>>(values);
            for (int v = 0; v < values && reader.IsOk; v++)
            {
                string key = ReadText(ref reader);
                list.Add(new(key, ReadText(ref reader)));
            }

            Status.Add(new DiagnosticStatus((DiagnosticLevel)level, name, message, hardwareId, list));
        }
    }

    /// <inheritdoc />
    public void Write(ref CdrWriter writer)
    {
        Header.Write(ref writer);
        writer.WriteCount(Status.Count);
        foreach (var status in Status)
        {
            writer.WriteByte((byte)status.Level);
            writer.WriteString(status.Name);
            writer.WriteString(status.Message);
            writer.WriteString(status.HardwareId);
            writer.WriteCount(status.Values.Count);
            foreach (var (key, value) in status.Values)
            {
                writer.WriteString(key);
                writer.WriteString(value);
            }
        }
    }

    private static string ReadText(ref CdrReader reader) => Encoding.UTF8.GetString(reader.ReadString(MaxStringBytes));
}
