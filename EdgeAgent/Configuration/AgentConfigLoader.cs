using EdgeAgent.Configuration.Internal;

namespace EdgeAgent.Configuration;

/// <summary>
/// Loads <c>agent.yaml</c>: parses it keeping every key's line and column, merges the environment
/// overrides into it, binds the result strictly onto <see cref="AgentOptions"/> (keys absent keep their
/// defaults), and validates the result. Every problem found is reported at once in an
/// <see cref="AgentConfigException"/>, each naming the file position (or environment variable), the key,
/// the problem and the fix.
/// </summary>
/// <remarks>
/// Environment overrides, applied after the file: <c>EDGEAGENT__SECTION__KEY[__...]</c> sets any single
/// value (key segments are case-insensitive; <c>EDGEAGENT__MOTOR__GAINS__2__KP</c> sets an entry of a list,
/// which must exist in the file); then <c>ROBOT_ID</c> sets robot.id and <c>CLOUD_ENDPOINT</c> sets
/// uplink.endpoint.
/// </remarks>
public static class AgentConfigLoader
{
    /// <summary>Loads and validates the configuration file at <paramref name="path"/>.</summary>
    /// <param name="path">The YAML file, such as <see cref="AgentDefaults.ConfigPath"/>.</param>
    /// <param name="environment">The environment variables to apply; <see langword="null"/> reads the process environment.</param>
    /// <returns>The validated options.</returns>
    /// <exception cref="AgentConfigException">The file is missing, unreadable or invalid; lists every problem.</exception>
    public static AgentOptions Load(string path, IReadOnlyDictionary<string, string>? environment = null) => Load(path, environment, []);

    /// <summary>Loads and validates the configuration file with overlays laid over it (fleet <c>set_tuning</c> commands).</summary>
    /// <param name="path">The YAML file.</param>
    /// <param name="environment">The environment variables to apply; <see langword="null"/> reads the process environment.</param>
    /// <param name="overlays">Partial configurations laid over the file and the environment, in order; each is checked exactly as the file is.</param>
    /// <returns>The validated options.</returns>
    /// <exception cref="AgentConfigException">The file or an overlay is invalid, or the merged result is; lists every problem.</exception>
    public static AgentOptions Load(string path, IReadOnlyDictionary<string, string>? environment, IReadOnlyList<ConfigOverlay> overlays)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > ConfigYamlReader.MaxFileBytes)
            {
                string full = Path.GetFullPath(path);
                throw new AgentConfigException([new ConfigError(full, ConfigError.RootPath, $"the file is {info.Length} bytes, more than the limit of {ConfigYamlReader.MaxFileBytes}", "a configuration is a few tens of KB: start from the default agent.yaml shipped with edge-agent")]);
            }

            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new AgentConfigException([Unreadable(path, exception)]);
        }

        return LoadFromString(text, path, environment, overlays);
    }

    /// <summary>Loads and validates configuration text, as <see cref="Load(string, IReadOnlyDictionary{string, string}?)"/> does for a file.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="sourceName">The name errors use for the text, such as its file path.</param>
    /// <param name="environment">The environment variables to apply; <see langword="null"/> reads the process environment.</param>
    /// <returns>The validated options.</returns>
    /// <exception cref="AgentConfigException">The text is invalid; lists every problem.</exception>
    public static AgentOptions LoadFromString(string yaml, string sourceName, IReadOnlyDictionary<string, string>? environment) =>
        LoadFromString(yaml, sourceName, environment, []);

    /// <summary>Loads and validates configuration text with overlays laid over it, as <see cref="Load(string, IReadOnlyDictionary{string, string}?, IReadOnlyList{ConfigOverlay})"/> does for a file.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="sourceName">The name errors use for the text.</param>
    /// <param name="environment">The environment variables to apply; <see langword="null"/> reads the process environment.</param>
    /// <param name="overlays">The overlays, in order.</param>
    /// <returns>The validated options.</returns>
    /// <exception cref="AgentConfigException">The text, an overlay or the merged result is invalid; lists every problem.</exception>
    public static AgentOptions LoadFromString(string yaml, string sourceName, IReadOnlyDictionary<string, string>? environment, IReadOnlyList<ConfigOverlay> overlays)
    {
        ArgumentNullException.ThrowIfNull(overlays);
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(sourceName);
        var context = new LoadContext(sourceName);
        var options = new AgentOptions();
        var file = ConfigYamlReader.Read(yaml, context);
        if (file is null)
        {
            throw new AgentConfigException(context.Errors);
        }

        // The environment is an overlay on the file's tree, bound with it in one pass.
        MappingNode root = new EnvironmentOverlay(context).Merge(file, environment ?? EnvironmentOverlay.FromProcess());
        foreach (ConfigOverlay overlay in overlays)
        {
            var overlayContext = new LoadContext(overlay.Name);
            MappingNode? tree = ConfigYamlReader.ReadOverlay(overlay.Yaml, overlayContext);
            if (tree is null)
            {
                throw new AgentConfigException(overlayContext.Errors);
            }

            root = TreeOverlay.Merge(root, tree);
        }

        new OptionsBinder(context).BindRoot(options, root);
        foreach (var issue in AgentOptionsValidator.Collect(options))
        {
            context.AddIssue(issue);
        }

        return context.Errors.Count == 0 ? options : throw new AgentConfigException(context.Errors);
    }

    private static ConfigError Unreadable(string path, Exception exception)
    {
        string full = Path.GetFullPath(path);
        (string problem, string fix) = exception switch
        {
            FileNotFoundException or DirectoryNotFoundException => (
                $"the configuration file does not exist ({full})",
                $"create it from the default agent.yaml shipped next to the edge-agent binary (on a robot: {AgentDefaults.ConfigPath}), or give the right path"),
            UnauthorizedAccessException when Directory.Exists(path) => (
                $"the path is a directory, not a file ({full})",
                "give the path of the YAML file itself, such as " + AgentDefaults.ConfigPath),
            UnauthorizedAccessException => (
                $"the configuration file cannot be read: permission denied ({full})",
                "let the edge-agent user read it, such as 'chmod 644' on the file"),
            _ => (
                $"the configuration file cannot be read: {exception.Message.TrimEnd('.')}",
                "check that the path names a readable YAML file"),
        };
        return new ConfigError(path, ConfigError.RootPath, problem, fix);
    }
}

/// <summary>A partial configuration laid over the file (a fleet <c>set_tuning</c> or <c>set_geofence</c>).</summary>
/// <param name="Name">What errors call it, such as <c>command 0193… (set_tuning)</c>.</param>
/// <param name="Yaml">The overlay: sections and keys as in the file, only those it changes (YAML or JSON).</param>
public sealed record ConfigOverlay(string Name, string Yaml);
