using System.Reflection;
using System.Text.Json;

namespace EdgeAgent.Configuration.Internal;

/// <summary>
/// Maps YAML keys to option properties: a key matches a property when the key without '_' equals the
/// property name, ignoring case (<c>feed_forward_velocity</c> → <c>FeedForwardVelocity</c>).
/// </summary>
internal static class ConfigKeys
{
    /// <summary>Gets the bindable properties (public, readable and writable) of a section, in declaration order.</summary>
    /// <param name="type">A section type (<see cref="OptionTypes"/>).</param>
    /// <returns>Its properties.</returns>
    public static PropertyInfo[] Properties(Type type) => OptionTypes.Section(type).Properties;

    public static PropertyInfo? Find(Type type, string key)
    {
        string compact = key.Replace("_", string.Empty, StringComparison.Ordinal);
        return Array.Find(Properties(type), p => string.Equals(p.Name, compact, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Gets the YAML keys of a section type, in declaration order.</summary>
    public static IReadOnlyList<string> KeysOf(Type type) => Properties(type).Select(p => ToSnakeCase(p.Name)).ToArray();

    /// <summary>Converts a property or enum member name to its YAML spelling: <c>RateHz</c> → <c>rate_hz</c>, <c>Ros2</c> → <c>ros2</c>.</summary>
    /// <remarks>The one snake_case policy of the agent: the run summary, /status and the safety texts use it too.</remarks>
    /// <param name="name">A property or enum member name.</param>
    /// <returns>Its snake_case spelling.</returns>
    public static string ToSnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>
    /// The YAML key path of a chain of options properties, written with <c>nameof</c> so a rename cannot leave an
    /// error message naming a key that no longer exists: <c>Key(nameof(AgentOptions.Spill), nameof(SpillOptions.QuotaBytes))</c>
    /// → <c>spill.quota_bytes</c>.
    /// </summary>
    /// <param name="names">The property names, outermost first.</param>
    /// <returns>The dotted snake_case path.</returns>
    public static string Key(params ReadOnlySpan<string> names)
    {
        var path = new System.Text.StringBuilder();
        foreach (string name in names)
        {
            path.Append(path.Length == 0 ? string.Empty : ".").Append(ToSnakeCase(name));
        }

        return path.ToString();
    }

    /// <summary>Gets a value indicating whether the type is an options section (bound from a mapping).</summary>
    public static bool IsSection(Type type) => OptionTypes.TryGetSection(type, out _);

    /// <summary>Gets a value indicating whether the type is a list of the options, and its element type.</summary>
    public static bool IsList(Type type, out Type elementType)
    {
        if (OptionTypes.TryGetList(type, out ListType? list))
        {
            elementType = list.ElementType;
            return true;
        }

        elementType = typeof(void);
        return false;
    }

    /// <summary>Describes a section for messages: <c>the top level</c> or <c>'motor.gains[0]'</c>.</summary>
    public static string DescribeSection(string path) => path.Length == 0 ? "the top level" : $"'{path}'";

    /// <summary>Builds the fix for an unknown key: the closest known key, and the keys allowed there.</summary>
    public static string UnknownKeyFix(string key, Type sectionType, string sectionPath)
    {
        var known = KeysOf(sectionType);
        string? closest = Closest(key, known);
        string where = sectionPath.Length == 0 ? "top-level sections" : $"keys of '{sectionPath}'";
        string list = $"{where}: {string.Join(", ", known)}";
        return closest is null
            ? $"use one of the {list}; or delete the line"
            : $"did you mean '{closest}'? (the {list})";
    }

    /// <summary>Finds the known key closest to <paramref name="key"/> (edit distance, or one containing the other), if any is close.</summary>
    public static string? Closest(string key, IEnumerable<string> known)
    {
        string probe = key.ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            int distance = Distance(probe, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        if (best is null)
        {
            return null;
        }

        int allowed = Math.Max(2, probe.Length / 3);
        bool contains = probe.Length >= 3 && (best.Contains(probe, StringComparison.Ordinal) || probe.Contains(best, StringComparison.Ordinal));
        return bestDistance <= allowed || contains ? best : ClosestByContainment(probe, known);
    }

    private static string? ClosestByContainment(string probe, IEnumerable<string> known) =>
        probe.Length < 3
            ? null
            : known.FirstOrDefault(k => k.Contains(probe, StringComparison.Ordinal) || probe.Contains(k, StringComparison.Ordinal));

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
