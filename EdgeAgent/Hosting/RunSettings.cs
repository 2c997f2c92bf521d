namespace EdgeAgent.Hosting;

/// <summary>What the <c>run</c> verb was asked to do.</summary>
/// <param name="ConfigPath">The configuration file.</param>
/// <param name="Duration">How long to run; null runs until SIGTERM or Ctrl-C.</param>
/// <param name="SummaryPath">Where to write the JSON run summary at exit; null for none.</param>
/// <param name="StatusInterval">How often to print the status line; zero for never.</param>
/// <param name="WatchConfig">Whether a change of the file reloads it (off by default: SIGHUP reloads).</param>
internal sealed record RunSettings(string ConfigPath, TimeSpan? Duration, string? SummaryPath, TimeSpan StatusInterval, bool WatchConfig = false);
