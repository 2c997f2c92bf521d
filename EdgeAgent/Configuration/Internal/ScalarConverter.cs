using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeAgent.Configuration.Internal;

/// <summary>The outcome of converting one scalar: the value, or what is wrong and how to fix it.</summary>
internal readonly record struct Conversion(bool Ok, object? Value, string Problem, string Fix)
{
    public static Conversion Success(object? value) => new(true, value, string.Empty, string.Empty);

    public static Conversion Failure(string problem, string fix) => new(false, null, problem, fix);
}

/// <summary>
/// Converts scalar text (from the file or an environment variable) to the option types, and formats option
/// values back into their YAML spelling. Durations are a number and a unit (<c>250us</c>, <c>0.25ms</c>,
/// <c>2ms</c>, <c>1.5s</c>, <c>1m</c>, <c>1h</c>); a bare number is rejected because its unit would be a guess.
/// </summary>
internal static partial class ScalarConverter
{
    public const string DurationUnits = "ns, us, ms, s, m, h";

    /// <summary>Converts <paramref name="text"/> to <paramref name="type"/>.</summary>
    /// <param name="type">The property type.</param>
    /// <param name="text">The scalar text.</param>
    /// <param name="isNull">Whether the scalar is YAML null (or an empty environment variable).</param>
    /// <param name="example">An example value in YAML spelling (the key's default) for the fix text.</param>
    public static Conversion Convert(Type type, string text, bool isNull, string example)
    {
        if (type == typeof(string))
        {
            return Conversion.Success(isNull ? string.Empty : text);
        }

        if (isNull)
        {
            return Conversion.Failure(
                $"has no value; a {Describe(type)} is required",
                $"write a value such as {example}, or delete the line to use the default ({example})");
        }

        string trimmed = text.Trim();
        if (type == typeof(double))
        {
            return ConvertDouble(trimmed, example);
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return ConvertInteger(type, trimmed, example);
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(trimmed, out bool flag)
                ? Conversion.Success(flag)
                : Conversion.Failure($"'{text}' is not true or false", "write true or false");
        }

        if (type == typeof(TimeSpan))
        {
            return ConvertDuration(trimmed, example);
        }

        if (type.IsEnum)
        {
            return ConvertEnum(type, trimmed);
        }

        throw new NotSupportedException($"The configuration binder does not support properties of type {type}.");
    }

    /// <summary>Formats a value in the spelling the file uses (<c>1000</c>, <c>zero_torque</c>, <c>100us</c>, <c>""</c>).</summary>
    public static string Format(object? value) => value switch
    {
        null => "\"\"",
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        TimeSpan t => FormatDuration(t),
        Enum e => ConfigKeys.ToSnakeCase(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Formats a duration in the largest unit that keeps it exact: <c>200ms</c>, <c>100us</c>, <c>1s</c>.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        long ticks = value.Ticks;
        if (ticks == 0)
        {
            return "0s";
        }

        (long Size, string Unit)[] units =
        [
            (TimeSpan.TicksPerHour, "h"), (TimeSpan.TicksPerMinute, "m"), (TimeSpan.TicksPerSecond, "s"),
            (TimeSpan.TicksPerMillisecond, "ms"), (TimeSpan.TicksPerMicrosecond, "us"),
        ];
        foreach (var (size, unit) in units)
        {
            if (ticks % size == 0)
            {
                return (ticks / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return (ticks / (decimal)TimeSpan.TicksPerMicrosecond).ToString(CultureInfo.InvariantCulture) + "us";
    }

    /// <summary>Describes what a type accepts, for messages: <c>number</c>, <c>whole number</c>, <c>duration</c>.</summary>
    public static string Describe(Type type)
    {
        if (type == typeof(double))
        {
            return "number";
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return "whole number";
        }

        if (type == typeof(bool))
        {
            return "true/false value";
        }

        if (type == typeof(TimeSpan))
        {
            return "duration";
        }

        return type.IsEnum ? $"value (one of {EnumValues(type)})" : "text value";
    }

    public static string EnumValues(Type type) => string.Join(", ", Enum.GetNames(type).Select(ConfigKeys.ToSnakeCase));

    private static Conversion ConvertDouble(string text, string example)
    {
        if (IsYamlNonFinite(text) || (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && !double.IsFinite(parsed)))
        {
            return Conversion.Failure($"'{text}' is not a finite number", $"write a finite number such as {example}");
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? Conversion.Success(value)
            : Conversion.Failure($"'{text}' is not a number", $"write a number such as {example} (use '.' for decimals)");
    }

    private static bool IsYamlNonFinite(string text) =>
        text.TrimStart('+', '-').ToLowerInvariant() is ".nan" or ".inf" or "nan" or "inf" or "infinity";

    private static Conversion ConvertInteger(Type type, string text, string example)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            bool isNumber = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            return Conversion.Failure(
                isNumber ? $"'{text}' is not a whole number" : $"'{text}' is not a number",
                $"write a whole number such as {example}");
        }

        if (type == typeof(int))
        {
            return value is < int.MinValue or > int.MaxValue
                ? Conversion.Failure($"'{text}' is too large", $"write a whole number such as {example}")
                : Conversion.Success((int)value);
        }

        return Conversion.Success(value);
    }

    private static Conversion ConvertDuration(string text, string example)
    {
        string fix = $"write a number and a unit, such as {example} (units: {DurationUnits})";
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            return BareNumber().IsMatch(text)
                ? Conversion.Failure($"'{text}' has no unit", $"write the unit after the number, such as {text}us or {text}ms (units: {DurationUnits})")
                : Conversion.Failure($"'{text}' is not a duration", fix);
        }

        if (!decimal.TryParse(match.Groups["amount"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal amount) || Math.Abs(amount) > 1e15m)
        {
            return Conversion.Failure($"'{text}' is too long a duration", fix);
        }

        decimal unitTicks = match.Groups["unit"].Value switch
        {
            "ns" => 0.01m, // a tick is 100 ns
            "h" => TimeSpan.TicksPerHour,
            "m" or "min" => TimeSpan.TicksPerMinute,
            "s" => TimeSpan.TicksPerSecond,
            "ms" => TimeSpan.TicksPerMillisecond,
            _ => TimeSpan.TicksPerMicrosecond,
        };

        decimal ticks = Math.Round(amount * unitTicks, MidpointRounding.AwayFromZero);
        if (ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
        {
            return Conversion.Failure($"'{text}' is too long a duration", fix);
        }

        if (ticks == 0 && amount != 0)
        {
            return Conversion.Failure($"'{text}' is shorter than the 0.1us resolution", fix);
        }

        return Conversion.Success(TimeSpan.FromTicks((long)ticks));
    }

    private static Conversion ConvertEnum(Type type, string text)
    {
        string compact = text.Replace("_", string.Empty, StringComparison.Ordinal);
        foreach (string name in Enum.GetNames(type))
        {
            if (string.Equals(name, compact, StringComparison.OrdinalIgnoreCase))
            {
                return Conversion.Success(Enum.Parse(type, name));
            }
        }

        string allowed = EnumValues(type);
        return Conversion.Failure($"'{text}' is not an allowed value (allowed: {allowed})", $"write one of: {allowed}");
    }

    [GeneratedRegex(@"^(?<amount>[+-]?(\d+(\.\d*)?|\.\d+))\s*(?<unit>ns|us|µs|ms|s|min|m|h)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^[+-]?(\d+(\.\d*)?|\.\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex BareNumber();
}
