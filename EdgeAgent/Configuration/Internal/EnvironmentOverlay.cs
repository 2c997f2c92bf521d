using System.Collections;
using System.Globalization;

namespace EdgeAgent.Configuration.Internal;

/// <summary>
/// Merges environment variables into the parsed file as an overlay of nodes, which <see cref="OptionsBinder"/>
/// then binds with the file in one pass (the same rules, the same messages, naming the variable instead of
/// a line): <c>EDGEAGENT__SECTION__KEY[__...]</c> (key segments case-insensitive; a number segment indexes a
/// list entry that must already exist in the file), then <c>ROBOT_ID</c> (robot.id) and
/// <c>CLOUD_ENDPOINT</c> (uplink.endpoint), which therefore win over <c>EDGEAGENT__ROBOT__ID</c> and
/// <c>EDGEAGENT__UPLINK__ENDPOINT</c>.
/// </summary>
/// <remarks>
/// The merge knows only the tree, not the option types: a variable that reaches deeper than the file (or
/// names a list without an index) leaves a node of the wrong shape, and the binder reports the shape. The one
/// error found here is a list index the file does not have, since only the file can add list entries.
/// </remarks>
internal sealed class EnvironmentOverlay(LoadContext context)
{
    public const string Prefix = "EDGEAGENT__";
    public const string RobotIdVariable = "ROBOT_ID";
    public const string CloudEndpointVariable = "CLOUD_ENDPOINT";

    /// <summary>Gets the variables of the process environment this loader reads.</summary>
    /// <returns>The relevant variables by name.</returns>
    public static Dictionary<string, string> FromProcess()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value && IsRelevant(name))
            {
                result[name] = value;
            }
        }

        return result;
    }

    /// <summary>The problem and fix for a list index the file does not have.</summary>
    /// <param name="segment">The variable's segment where an index is expected.</param>
    /// <param name="path">The list's key path.</param>
    /// <param name="count">The entries of the list in the file.</param>
    /// <returns>The error's key path, problem and fix.</returns>
    public static (string Path, string Problem, string Fix) MissingEntry(string segment, string path, int count)
    {
        bool isIndex = int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index);
        string range = count == 0 ? "add entries to the list in the file first" : $"use an index from 0 to {count - 1}, or add the entry to the file";
        return (
            isIndex ? ConfigPath.Index(path, index) : path,
            isIndex ? $"index {index} does not exist: '{path}' has {count} entries in the file" : $"'{segment}' is not a list index (0, 1, 2, ...)",
            range + " (the environment changes list entries, it cannot add them)");
    }

    /// <summary>Returns the file's tree with every relevant variable of <paramref name="environment"/> merged in.</summary>
    /// <param name="root">The parsed file.</param>
    /// <param name="environment">The environment variables.</param>
    /// <returns>The merged tree.</returns>
    public MappingNode Merge(MappingNode root, IReadOnlyDictionary<string, string> environment)
    {
        var prefixed = environment.Keys
            .Where(name => name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (string name in prefixed)
        {
            root = Set(root, name, name[Prefix.Length..].Split("__"), environment[name]);
        }

        if (environment.TryGetValue(RobotIdVariable, out string? robotId))
        {
            root = Set(root, RobotIdVariable, ["robot", "id"], robotId);
        }

        if (environment.TryGetValue(CloudEndpointVariable, out string? endpoint))
        {
            root = Set(root, CloudEndpointVariable, ["uplink", "endpoint"], endpoint);
        }

        return root;
    }

    private static bool IsRelevant(string name) =>
        name is RobotIdVariable or CloudEndpointVariable || name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The binder's key rule: a key matches ignoring case and '_'.</summary>
    internal static bool SameKey(string a, string b) =>
        string.Equals(a.Replace("_", string.Empty, StringComparison.Ordinal), b.Replace("_", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

    private MappingNode Set(MappingNode root, string variable, string[] segments, string value) =>
        (MappingNode)Overlay(root, new Variable(variable, segments, value), 0, string.Empty);

    /// <summary>The node that replaces <paramref name="existing"/> once segments[<paramref name="at"/>..] are applied.</summary>
    private ConfigNode Overlay(ConfigNode? existing, Variable variable, int at, string path)
    {
        if (at == variable.Segments.Length)
        {
            // An unquoted empty value is null (the key's default), as in the file; any other text is taken as written.
            return new ScalarNode(existing?.Start ?? default, variable.Value, quoted: variable.Value.Length > 0) { Environment = variable.Origin(at - 1) };
        }

        string segment = variable.Segments[at];
        if (existing is SequenceNode sequence)
        {
            if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= sequence.Items.Count)
            {
                var (errorPath, problem, fix) = MissingEntry(segment, path, sequence.Items.Count);
                context.FailFromEnvironment(variable.Name, errorPath, problem, fix);
                return sequence;
            }

            ConfigNode[] items = [.. sequence.Items];
            items[index] = Overlay(items[index], variable, at + 1, ConfigPath.Index(path, index));
            return new SequenceNode(sequence.Start, items) { Environment = sequence.Environment };
        }

        // A mapping gets the key; a single value (or nothing) becomes a section of the variable's, and the
        // binder says whether a section belongs there.
        var entries = existing is MappingNode mapping ? mapping.Entries.ToList() : [];
        int found = entries.FindIndex(e => e.Key is ScalarNode key && !key.IsNull && SameKey(key.Value, segment));
        bool last = at == variable.Segments.Length - 1;
        string keyText = found >= 0 ? ((ScalarNode)entries[found].Key).Value : segment.ToLowerInvariant();
        TextPosition keyAt = found >= 0 ? entries[found].Key.Start : existing?.Start ?? default;
        ConfigNode keyNode = found >= 0 && !last
            ? entries[found].Key
            : new ScalarNode(keyAt, keyText, quoted: true) { Environment = variable.Origin(at) }; // a name, never null
        ConfigNode value = Overlay(found >= 0 ? entries[found].Value : null, variable, at + 1, ConfigPath.Child(path, keyText));
        var entry = new KeyValuePair<ConfigNode, ConfigNode>(keyNode, value);
        if (found >= 0)
        {
            entries[found] = entry;
        }
        else
        {
            entries.Add(entry);
        }

        EnvironmentOrigin? origin = existing is MappingNode ? existing.Environment : variable.Origin(at - 1);
        return new MappingNode(existing?.Start ?? default, entries) { Environment = origin };
    }

    private sealed record Variable(string Name, string[] Segments, string Value)
    {
        public EnvironmentOrigin? Origin(int segment) => segment < 0 ? null : new EnvironmentOrigin(Name, Segments, segment);
    }
}
