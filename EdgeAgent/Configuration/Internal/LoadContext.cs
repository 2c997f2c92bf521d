namespace EdgeAgent.Configuration.Internal;

/// <summary>
/// The state of one load: the errors found so far, where each key path came from (file position or
/// environment variable), and which paths failed to bind (validation findings below them are suppressed,
/// since they would only repeat the binding error).
/// </summary>
internal sealed class LoadContext(string sourceName)
{
    private readonly Dictionary<string, (string Source, TextPosition? Position)> origins = new(StringComparer.Ordinal);
    private readonly List<string> failedPaths = [];

    public string SourceName { get; } = sourceName;

    public List<ConfigError> Errors { get; } = [];

    public string Location(TextPosition position) => $"{position.Source ?? SourceName}:{position.Line}:{position.Column}";

    public void RecordFile(string path, TextPosition position) => origins[path] = (Location(position), position);

    public void RecordEnvironment(string path, string variable) => origins[path] = (EnvironmentSource(variable), null);

    public static string EnvironmentSource(string variable) => "environment variable " + variable;

    /// <summary>Adds an error at a position in the file.</summary>
    public void FailAt(TextPosition position, string path, string problem, string fix)
    {
        failedPaths.Add(path);
        Errors.Add(new ConfigError(Location(position), ConfigPath.Display(path), problem, fix)
        {
            Line = position.Line,
            Column = position.Column,
        });
    }

    /// <summary>Suppresses the validation findings at and below <paramref name="path"/> (a binding error there says it all).</summary>
    /// <param name="path">The key path.</param>
    public void SuppressBelow(string path) => failedPaths.Add(path);

    /// <summary>Adds an error caused by an environment variable.</summary>
    public void FailFromEnvironment(string variable, string path, string problem, string fix)
    {
        failedPaths.Add(path);
        Errors.Add(new ConfigError(EnvironmentSource(variable), ConfigPath.Display(path), problem, fix));
    }

    /// <summary>Adds a validation finding, located at the key or, when the key is not in the file, its nearest ancestor.</summary>
    public void AddIssue(ConfigIssue issue)
    {
        string path = issue.KeyPath == ConfigError.RootPath ? string.Empty : issue.KeyPath;
        if (failedPaths.Exists(failed => ConfigPath.IsWithin(path, failed)))
        {
            return;
        }

        for (string probe = path; ; probe = ConfigPath.Parent(probe))
        {
            if (origins.TryGetValue(probe, out var origin))
            {
                Errors.Add(new ConfigError(origin.Source, ConfigPath.Display(path), issue.Problem, issue.Fix)
                {
                    Line = origin.Position?.Line,
                    Column = origin.Position?.Column,
                });
                return;
            }

            if (probe.Length == 0)
            {
                Errors.Add(new ConfigError(SourceName, ConfigPath.Display(path), issue.Problem, issue.Fix));
                return;
            }
        }
    }
}
