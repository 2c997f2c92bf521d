namespace EdgeAgent.Configuration.Internal;

/// <summary>A 1-based line and column in the configuration text.</summary>
internal readonly record struct TextPosition(int Line, int Column);

/// <summary>
/// A node of the parsed YAML document that remembers where it starts. Unlike YamlDotNet's representation
/// model it keeps duplicate mapping keys (so the binder can report them with their path and keep going).
/// </summary>
internal abstract class ConfigNode(TextPosition start)
{
    public TextPosition Start { get; } = start;
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
