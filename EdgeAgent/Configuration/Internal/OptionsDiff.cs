using System.Globalization;
using System.Reflection;

namespace EdgeAgent.Configuration.Internal;

/// <summary>One key whose value differs between two configurations.</summary>
/// <param name="Key">The key path, such as <c>motor.gains[0].kp</c>.</param>
/// <param name="Before">The running value, as YAML would spell it.</param>
/// <param name="After">The new value.</param>
/// <param name="Live">Whether a running agent can apply it (<see cref="LiveTunableAttribute"/>).</param>
internal readonly record struct OptionChange(string Key, string Before, string After, bool Live)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Key} {Before} → {After}";
}

/// <summary>
/// Compares two option trees key by key, walking the same bindable properties the YAML binder uses, and
/// says for each changed key whether it is live-tunable: marked itself, or inside a marked section type.
/// </summary>
internal static class OptionsDiff
{
    /// <summary>Lists every key whose value differs, in key order.</summary>
    /// <param name="before">The running configuration.</param>
    /// <param name="after">The new configuration.</param>
    /// <returns>The changed keys.</returns>
    public static List<OptionChange> Compare(AgentOptions before, AgentOptions after)
    {
        var changes = new List<OptionChange>();
        Walk(before, after, typeof(AgentOptions), string.Empty, live: false, changes);
        return changes;
    }

    /// <summary>Formats a scalar as the YAML file would spell it.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Its text.</returns>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string text => "\"" + text + "\"",
        bool flag => flag ? "true" : "false",
        TimeSpan duration => ScalarConverter.FormatDuration(duration),
        double number => double.IsNaN(number) ? "(not set)" : number.ToString("R", CultureInfo.InvariantCulture),
        Enum member => ConfigKeys.ToSnakeCase(member.ToString()),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static void Walk(object? a, object? b, Type type, string path, bool live, List<OptionChange> changes)
    {
        live |= type.GetCustomAttribute<LiveTunableAttribute>() is not null;
        foreach (PropertyInfo property in ConfigKeys.Properties(type))
        {
            string key = path.Length == 0 ? ConfigKeys.ToSnakeCase(property.Name) : path + "." + ConfigKeys.ToSnakeCase(property.Name);
            bool propertyLive = live || property.GetCustomAttribute<LiveTunableAttribute>() is not null;
            object? x = a is null ? null : property.GetValue(a);
            object? y = b is null ? null : property.GetValue(b);
            Type propertyType = property.PropertyType;
            if (ConfigKeys.IsList(propertyType, out Type element))
            {
                WalkList((System.Collections.IList?)x, (System.Collections.IList?)y, element, key, propertyLive, changes);
            }
            else if (ConfigKeys.IsSection(propertyType))
            {
                Walk(x, y, propertyType, key, propertyLive, changes);
            }
            else if (!Equals(x, y) && !(x is double dx && y is double dy && double.IsNaN(dx) && double.IsNaN(dy)))
            {
                changes.Add(new OptionChange(key, Format(x), Format(y), propertyLive));
            }
        }
    }

    private static void WalkList(System.Collections.IList? a, System.Collections.IList? b, Type element, string key, bool live, List<OptionChange> changes)
    {
        int countA = a?.Count ?? 0;
        int countB = b?.Count ?? 0;
        if (countA != countB)
        {
            changes.Add(new OptionChange(key, $"{countA} entries", $"{countB} entries", live));
            return;
        }

        for (int i = 0; i < countA; i++)
        {
            string itemKey = $"{key}[{i}]";
            if (ConfigKeys.IsSection(element))
            {
                Walk(a![i], b![i], element, itemKey, live, changes);
            }
            else if (!Equals(a![i], b![i]))
            {
                changes.Add(new OptionChange(itemKey, Format(a[i]), Format(b![i]), live));
            }
        }
    }
}
