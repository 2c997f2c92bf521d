using System.CommandLine.Parsing;
using EdgeAgent.Configuration.Internal;

namespace EdgeAgent.Configuration;

/// <summary>
/// The one duration syntax of the agent, for agent.yaml and every command-line option: a number and a unit
/// (<c>250us</c>, <c>0.25ms</c>, <c>30s</c>, <c>1.5m</c>; units ns, us, ms, s, m, h). A bare number is an error
/// that says which units to add, in the file and on the command line alike.
/// </summary>
internal static class Durations
{
    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The text, such as <c>30s</c>.</param>
    /// <param name="example">An example for the fix, such as <c>30s</c>.</param>
    /// <param name="value">The duration when valid.</param>
    /// <param name="error">When invalid, what is wrong and the fix (<c>'5' has no unit. Fix: …</c>).</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string text, string example, out TimeSpan value, out string error)
    {
        Conversion parsed = ScalarConverter.Convert(typeof(TimeSpan), text, isNull: false, example);
        value = parsed.Ok ? (TimeSpan)parsed.Value! : default;
        error = parsed.Ok ? string.Empty : $"{parsed.Problem}. Fix: {parsed.Fix}";
        return parsed.Ok;
    }

    /// <summary>
    /// A System.CommandLine parser for a duration option between <paramref name="min"/> and <paramref name="max"/>:
    /// errors read <c>--duration 'soon': 'soon' is not a duration. Fix: …</c>.
    /// </summary>
    /// <param name="option">The option's name, such as <c>--duration</c>.</param>
    /// <param name="example">An example, such as <c>30s</c>.</param>
    /// <param name="min">The smallest value allowed (inclusive).</param>
    /// <param name="max">The largest value allowed (inclusive).</param>
    /// <returns>The parser.</returns>
    public static Func<ArgumentResult, TimeSpan?> OptionParser(string option, string example, TimeSpan min, TimeSpan max) => result =>
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : string.Empty;
        if (!TryParse(text, example, out TimeSpan value, out string error))
        {
            result.AddError($"{option} '{text}': {error}");
            return null;
        }

        if (value < min || value > max)
        {
            result.AddError($"{option} '{text}': must be {ScalarConverter.FormatDuration(min)}..{ScalarConverter.FormatDuration(max)}. Fix: write e.g. {example}");
            return null;
        }

        return value;
    };
}
