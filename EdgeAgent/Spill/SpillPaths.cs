namespace EdgeAgent.Spill;

/// <summary>Resolves the spill directory when <see cref="SpillOptions.Directory"/> is empty (automatic).</summary>
internal static class SpillPaths
{
    /// <summary>The system-wide directory used when writable (created by install.sh).</summary>
    public const string SystemDirectory = "/var/lib/edge-agent/spill";

    /// <summary>Resolves the configured directory: as given (made absolute) when set, otherwise automatic.</summary>
    /// <param name="configured">The configured directory; empty for automatic.</param>
    /// <returns>An absolute path.</returns>
    public static string Resolve(string configured) => Resolve(configured, Environment.GetEnvironmentVariable, SystemDirectory);

    /// <summary>Resolves with a given environment and system directory (tests).</summary>
    /// <param name="configured">The configured directory; empty for automatic.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="systemDirectory">The system-wide candidate.</param>
    /// <returns>An absolute path: <c>$STATE_DIRECTORY/spill</c> (systemd), else the system directory when creatable and
    /// writable, else <c>$XDG_STATE_HOME/edge-agent/spill</c> or <c>~/.local/state/edge-agent/spill</c>.</returns>
    public static string Resolve(string configured, Func<string, string?> environment, string systemDirectory)
    {
        if (configured.Length > 0)
        {
            return Path.GetFullPath(configured);
        }

        // systemd's StateDirectory= may list several directories separated by ':'; the first is ours.
        string? state = environment("STATE_DIRECTORY");
        if (!string.IsNullOrEmpty(state))
        {
            return Path.Combine(state.Split(':')[0], "spill");
        }

        if (IsWritable(systemDirectory))
        {
            return systemDirectory;
        }

        string? xdg = environment("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg))
        {
            return Path.Combine(xdg, "edge-agent", "spill");
        }

        string home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "state", "edge-agent", "spill");
    }

    private static bool IsWritable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, ".probe-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
