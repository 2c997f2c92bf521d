using System.Collections;
using System.Globalization;

namespace EdgeAgent.Configuration.Internal;

/// <summary>
/// Applies environment variables over the bound file: <c>EDGEAGENT__SECTION__KEY[__...]</c> (key segments
/// case-insensitive; a number segment indexes a list entry that must already exist in the file), then
/// <c>ROBOT_ID</c> (robot.id) and <c>CLOUD_ENDPOINT</c> (uplink.endpoint), which therefore win over
/// <c>EDGEAGENT__ROBOT__ID</c> and <c>EDGEAGENT__UPLINK__ENDPOINT</c>. Every error names the variable.
/// </summary>
internal sealed class EnvironmentOverrides(LoadContext context)
{
    public const string Prefix = "EDGEAGENT__";
    public const string RobotIdVariable = "ROBOT_ID";
    public const string CloudEndpointVariable = "CLOUD_ENDPOINT";

    /// <summary>Gets the variables of the process environment this loader reads.</summary>
    public static Dictionary<string, string> FromProcess()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value && IsRelevant(name))
            {
                result[name] = value;
            }
        }

        return result;
    }

    public void Apply(AgentOptions options, IReadOnlyDictionary<string, string> environment)
    {
        var prefixed = environment.Keys
            .Where(name => name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (string name in prefixed)
        {
            Set(options, name, name[Prefix.Length..].Split("__"), environment[name]);
        }

        if (environment.TryGetValue(RobotIdVariable, out string? robotId))
        {
            Set(options, RobotIdVariable, ["robot", "id"], robotId);
        }

        if (environment.TryGetValue(CloudEndpointVariable, out string? endpoint))
        {
            Set(options, CloudEndpointVariable, ["uplink", "endpoint"], endpoint);
        }
    }

    private static bool IsRelevant(string name) =>
        name is RobotIdVariable or CloudEndpointVariable || name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    private void Set(AgentOptions options, string variable, string[] segments, string value)
    {
        object section = options;
        string path = string.Empty;
        for (int i = 0; i < segments.Length; i++)
        {
            string segment = segments[i];
            bool last = i == segments.Length - 1;
            var type = section.GetType();
            var property = segment.Length == 0 ? null : ConfigKeys.Find(type, segment);
            if (property is null)
            {
                Unknown(variable, segments, i, type, path);
                return;
            }

            path = ConfigPath.Child(path, ConfigKeys.ToSnakeCase(property.Name));
            var propertyType = property.PropertyType;
            if (ConfigKeys.IsList(propertyType, out var elementType))
            {
                if (last)
                {
                    Fail(variable, path, $"'{path}' is a list; the environment sets one entry at a time", $"add the entry's index, such as {variable}__0{(ConfigKeys.IsSection(elementType) ? "__" + ConfigKeys.KeysOf(elementType)[0].ToUpperInvariant() : string.Empty)}");
                    return;
                }

                var list = (IList)property.GetValue(section)!;
                i++;
                bool isIndex = int.TryParse(segments[i], NumberStyles.None, CultureInfo.InvariantCulture, out int index);
                if (!isIndex || index >= list.Count)
                {
                    string range = list.Count == 0 ? "add entries to the list in the file first" : $"use an index from 0 to {list.Count - 1}, or add the entry to the file";
                    Fail(
                        variable,
                        isIndex ? ConfigPath.Index(path, index) : path,
                        isIndex ? $"index {index} does not exist: '{path}' has {list.Count} entries in the file" : $"'{segments[i]}' is not a list index (0, 1, 2, ...)",
                        range + " (the environment changes list entries, it cannot add them)");
                    return;
                }

                path = ConfigPath.Index(path, index);
                bool elementIsLast = i == segments.Length - 1;
                if (ConfigKeys.IsSection(elementType))
                {
                    if (elementIsLast)
                    {
                        Fail(variable, path, $"'{path}' is a set of keys, not a single value", $"add the key, such as {variable}__{ConfigKeys.KeysOf(elementType)[0].ToUpperInvariant()}");
                        return;
                    }

                    section = list[index]!;
                    continue;
                }

                if (!elementIsLast)
                {
                    Fail(variable, path, $"'{path}' is a single value and has no key '{segments[i + 1]}'", $"end the variable name at __{segments[i]}");
                    return;
                }

                if (Convert(variable, path, elementType, value, ScalarConverter.Format(list[index]), out object? item))
                {
                    list[index] = item;
                }

                return;
            }

            if (ConfigKeys.IsSection(propertyType))
            {
                if (last)
                {
                    Fail(variable, path, $"'{path}' is a section, not a single value", $"add the key, such as {variable}__{ConfigKeys.KeysOf(propertyType)[0].ToUpperInvariant()}");
                    return;
                }

                section = property.GetValue(section)!;
                continue;
            }

            if (!last)
            {
                Fail(variable, path, $"'{path}' is a single value and has no key '{segments[i + 1]}'", $"end the variable name at __{segment}");
                return;
            }

            if (Convert(variable, path, propertyType, value, ScalarConverter.Format(property.GetValue(section)), out object? converted))
            {
                property.SetValue(section, converted);
            }
        }
    }

    private bool Convert(string variable, string path, Type type, string value, string example, out object? converted)
    {
        var conversion = ScalarConverter.Convert(type, value, value.Length == 0, example);
        converted = conversion.Value;
        if (!conversion.Ok)
        {
            Fail(variable, path, conversion.Problem, conversion.Fix.Replace("delete the line", "unset the variable", StringComparison.Ordinal));
            return false;
        }

        context.RecordEnvironment(path, variable);
        return true;
    }

    private void Unknown(string variable, string[] segments, int at, Type sectionType, string sectionPath)
    {
        string segment = segments[at];
        string path = ConfigPath.Child(sectionPath, segment.ToLowerInvariant());
        var known = ConfigKeys.KeysOf(sectionType);
        string? closest = ConfigKeys.Closest(segment, known);
        string where = sectionPath.Length == 0 ? "sections" : $"keys of '{sectionPath}'";
        string fix;
        if (closest is not null)
        {
            var corrected = (string[])segments.Clone();
            corrected[at] = closest.ToUpperInvariant();
            fix = $"did you mean {Prefix}{string.Join("__", corrected)}? (the {where}: {string.Join(", ", known)})";
        }
        else
        {
            fix = $"use one of the {where}: {string.Join(", ", known)}; or unset the variable";
        }

        string problem = segment.Length == 0
            ? "the variable name has an empty segment (a '____' or a trailing '__')"
            : $"unknown {(sectionPath.Length == 0 ? "section" : "key")} '{segment}' in {ConfigKeys.DescribeSection(sectionPath)}";
        Fail(variable, path, problem, fix);
    }

    private void Fail(string variable, string path, string problem, string fix) =>
        context.FailFromEnvironment(variable, path, problem, fix);
}
