namespace EdgeAgent.Configuration.Internal;

/// <summary>A 1-based line and column in the configuration text.</summary>
/// <param name="Line">The line.</param>
/// <param name="Column">The column.</param>
/// <param name="Source">The text the position is in when it is not the file's (a fleet overlay); null: the file.</param>
internal readonly record struct TextPosition(int Line, int Column, string? Source = null);

/// <summary>
/// A node of the parsed YAML document that remembers where it starts. Unlike YamlDotNet's representation
/// model it keeps duplicate mapping keys (so the binder can report them with their path and keep going).
/// </summary>
internal abstract class ConfigNode(TextPosition start)
{
    public TextPosition Start { get; } = start;

    /// <summary>Gets the environment variable that put this node in the tree (null: the file's own).</summary>
    public EnvironmentOrigin? Environment { get; init; }
}

/// <summary>
/// Where a node of the environment overlay comes from: the variable, its key segments (<c>MOTOR</c>,
/// <c>GAINS</c>, <c>2</c>, <c>KP</c>) and which of them this node stands for.
/// </summary>
internal sealed record EnvironmentOrigin(string Variable, IReadOnlyList<string> Segments, int Segment)
{
    /// <summary>Gets the segment this node stands for, as the variable spells it.</summary>
    public string Text => Segments[Segment];

    /// <summary>Gets the segment after this node's, if any.</summary>
    public string? Next => Segment + 1 < Segments.Count ? Segments[Segment + 1] : null;

    /// <summary>Gets the variable's name with this node's segment replaced (prefixed variables only).</summary>
    /// <param name="segment">The segment to write instead.</param>
    /// <returns>The corrected variable name.</returns>
    public string WithSegment(string segment)
    {
        string[] corrected = [.. Segments];
        corrected[Segment] = segment;
        return EnvironmentOverlay.Prefix + string.Join("__", corrected);
    }

    /// <summary>Gets the variable's name extended by one more segment (for the node of its last segment).</summary>
    /// <param name="segment">The segment to add.</param>
    /// <returns>The longer variable name.</returns>
    public string Then(string segment) => $"{Variable}__{segment}";
}

/// <summary>A scalar: its text and whether it was quoted (a quoted empty string is a value, not null).</summary>
internal sealed class ScalarNode(TextPosition start, string value, bool quoted) : ConfigNode(start)
{
    public string Value { get; } = value;

    public bool Quoted { get; } = quoted;

    /// <summary>Gets a value indicating whether the scalar is YAML null: empty, <c>~</c> or <c>null</c>, unquoted.</summary>
    public bool IsNull => !Quoted && Value is "" or "~" or "null" or "Null" or "NULL";
}

/// <summary>A sequence (<c>- item</c> lines or <c>[a, b]</c>).</summary>
internal sealed class SequenceNode(TextPosition start, IReadOnlyList<ConfigNode> items) : ConfigNode(start)
{
    public IReadOnlyList<ConfigNode> Items { get; } = items;
}

/// <summary>A mapping (<c>key: value</c> lines or <c>{a: 1}</c>), in file order, duplicates kept.</summary>
internal sealed class MappingNode(TextPosition start, IReadOnlyList<KeyValuePair<ConfigNode, ConfigNode>> entries) : ConfigNode(start)
{
    public IReadOnlyList<KeyValuePair<ConfigNode, ConfigNode>> Entries { get; } = entries;
}
