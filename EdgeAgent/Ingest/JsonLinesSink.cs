using System.Text;

namespace EdgeAgent.Ingest;

/// <summary>Appends one JSON line per stored batch to a file, flushed per line. Callers serialize access.</summary>
internal sealed class JsonLinesSink : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Opens (creates or appends to) the file.</summary>
    /// <param name="path">The file.</param>
    public JsonLinesSink(string path)
    {
        Path = path;
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    /// <summary>Gets the file.</summary>
    public string Path { get; }

    /// <summary>Writes one line and flushes it to the operating system.</summary>
    /// <param name="line">A JSON object without line breaks.</param>
    public void Append(string line)
    {
        _writer.Write(line);
        _writer.Write('\n');
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}
