using System.Text;

namespace EdgeAgent.Cli;

/// <summary>
/// The last word of a bug: an exception nothing handled (on any thread, or out of a verb) becomes one line on
/// stderr, at error priority in the journal (<c>&lt;3&gt;</c>, which journald reads on a service's stderr), and
/// exit code <see cref="CliExit.Software"/>, instead of the runtime's many-line trace that the journal files
/// as one info entry per line. The exit runs the host's shutdown, so the loops still make their shutdown stop.
/// </summary>
internal static class FatalErrors
{
    private const int MaxFrames = 8;

    /// <summary>Reports unhandled exceptions of any thread as one line and exits with <see cref="CliExit.Software"/>.</summary>
    public static void Install() =>
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            Report(e.ExceptionObject as Exception ?? new InvalidOperationException(e.ExceptionObject?.ToString()));
            Environment.Exit(CliExit.Software);
        };

    /// <summary>Writes the one line to stderr.</summary>
    /// <param name="exception">The exception.</param>
    public static void Report(Exception exception)
    {
        Console.Error.WriteLine(Format(exception, Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null));
        Console.Error.Flush();
    }

    /// <summary>The one line: type, message, inner exceptions and the first stack frames, no line breaks.</summary>
    /// <param name="exception">The exception.</param>
    /// <param name="journal">Whether stderr goes to the journal (then the line starts with the priority).</param>
    /// <returns>The line.</returns>
    internal static string Format(Exception exception, bool journal)
    {
        var line = new StringBuilder(journal ? "<3>" : string.Empty);
        line.Append("edge-agent: unhandled error (a bug; please report it with this line): ");
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e != exception)
            {
                line.Append(" ---> ");
            }

            line.Append(e.GetType().FullName).Append(": ").Append(OneLine(e.Message));
        }

        string[] frames = (exception.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (frames.Length > 0)
        {
            line.Append(" | ").Append(string.Join(" | ", frames.Take(MaxFrames)));
            if (frames.Length > MaxFrames)
            {
                line.Append(" | (").Append(frames.Length - MaxFrames).Append(" more frames)");
            }
        }

        return line.ToString();
    }

    private static string OneLine(string text) => text.Replace('\r', ' ').Replace('\n', ' ');
}
