using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EdgeAgent.Configuration.Internal;

/// <summary>
/// Reads the configuration text into <see cref="ConfigNode"/>s with YamlDotNet's parser, keeping each node's
/// line and column, and turns the parser's syntax errors into one <see cref="ConfigError"/> in plain words.
/// </summary>
/// <remarks>
/// Built on the parser's event stream rather than <c>YamlStream</c>: the representation model throws on the
/// first duplicate key and so would hide every other error in the file.
/// </remarks>
internal sealed class ConfigYamlReader
{
    /// <summary>The largest configuration file read (the shipped one is about 30 KB).</summary>
    internal const int MaxFileBytes = 1 << 20;

    /// <summary>The deepest nesting of sections and lists (the shipped file nests 4 deep).</summary>
    internal const int MaxDepth = 32;

    /// <summary>The most values (scalars, lists, mappings), counting what each alias stands for.</summary>
    internal const int MaxNodes = 100_000;

    /// <summary>The most aliases (<c>*name</c>) in one file.</summary>
    internal const int MaxAliases = 1_000;

    private const string GeneralFix = "check the indentation (spaces only, keys of one section in one column) and the quoting on this line and the line above";

    private readonly string text;
    private readonly LoadContext context;
    private readonly Dictionary<string, (ConfigNode Node, long Size)> anchors = new(StringComparer.Ordinal);
    private int depth;
    private long nodes;
    private int aliases;
    private readonly Stack<(TextPosition Position, char Opener)> openFlows = new();
    private TextPosition lastPosition = new(1, 1);
    private string? stamp;

    private ConfigYamlReader(string text, LoadContext context)
    {
        this.text = text;
        this.context = context;
    }

    /// <summary>Reads the root mapping; on a syntax error, an empty file or a root that is not a mapping, adds the error and returns null.</summary>
    public static MappingNode? Read(string text, LoadContext context) => new ConfigYamlReader(text, context).ReadRoot();

    /// <summary>
    /// Reads an overlay's root mapping (a fleet <c>set_tuning</c>): as <see cref="Read"/>, and every node's
    /// position names the overlay (<paramref name="context"/>'s source), so the binder's messages about a
    /// merged tree point into the overlay, not into the file.
    /// </summary>
    public static MappingNode? ReadOverlay(string text, LoadContext context) => new ConfigYamlReader(text, context) { stamp = context.SourceName }.ReadRoot();

    private TextPosition At(Mark mark) => new(checked((int)mark.Line), checked((int)mark.Column), stamp);

    private MappingNode? ReadRoot()
    {
        ConfigNode? root;
        if (text.Length > MaxFileBytes)
        {
            context.FailAt(new TextPosition(1, 1), string.Empty, $"the file is {text.Length} characters long, more than the limit of {MaxFileBytes}", "a configuration is a few tens of KB: start from the default agent.yaml shipped with edge-agent");
            return null;
        }

        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                root = null;
            }
            else
            {
                parser.Consume<DocumentStart>();
                root = ReadNode(parser);
                parser.Consume<DocumentEnd>();
                if (parser.Accept<DocumentStart>(out var second))
                {
                    context.FailAt(At(second.Start), string.Empty, "the file holds more than one YAML document (a second '---')", "keep one document: delete the '---' line and merge the keys into one set of sections");
                    return null;
                }
            }
        }
        catch (LimitExceededException exception)
        {
            context.FailAt(exception.Position, string.Empty, exception.Problem, exception.Fix);
            return null;
        }
        catch (YamlException exception)
        {
            ReportSyntaxError(At(exception.Start), exception.Message);
            return null;
        }
        catch (InvalidOperationException exception)
        {
            // YamlDotNet's scanner throws this (without a position) on some unclosed flow collections.
            ReportSyntaxError(lastPosition, exception.Message);
            return null;
        }

        switch (root)
        {
            case MappingNode mapping:
                return mapping;
            case null:
            case ScalarNode { IsNull: true }:
                context.FailAt(new TextPosition(1, 1), string.Empty, "the file is empty: it has no sections", "start from the default agent.yaml shipped with edge-agent and change the values you need");
                return null;
            default:
                context.FailAt(root.Start, string.Empty, $"the file must be a set of sections (robot:, motor:, ...), but it is {(root is SequenceNode ? "a list" : "a single value")}", "start from the default agent.yaml shipped with edge-agent");
                return null;
        }
    }

    private ConfigNode ReadNode(IParser parser)
    {
        var start = parser.Current is { } current ? At(current.Start) : lastPosition;
        lastPosition = start;
        Count(start, 1);
        if (++depth > MaxDepth)
        {
            throw new LimitExceededException(start, $"the values nest more than {MaxDepth} levels deep", $"a configuration nests a few levels (section, key, list): remove the nested '[' / '{{' or indentation from line {start.Line} on");
        }

        try
        {
            return ReadNodeCore(parser, start);
        }
        finally
        {
            depth--;
        }
    }

    private void Count(TextPosition at, long size)
    {
        nodes += size;
        if (nodes > MaxNodes)
        {
            throw new LimitExceededException(at, $"the file holds more than {MaxNodes} values (counting what each alias stands for)", "a configuration holds a few hundred values: remove the repeated lists or aliases");
        }
    }

    private ConfigNode ReadNodeCore(IParser parser, TextPosition start)
    {
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var node = new ScalarNode(At(scalar.Start), scalar.Value, scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded);
            return Anchor(scalar.Anchor, node);
        }

        // Flow collections are tracked before their start is consumed and until their end is: consuming an
        // event makes the scanner read ahead, which is where an unclosed '[' or '{' throws.
        if (parser.Accept<SequenceStart>(out var sequenceStart))
        {
            bool flow = PushFlow(sequenceStart.Style == SequenceStyle.Flow, start, '[', parser);
            var items = new List<ConfigNode>();
            while (!parser.Accept<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser));
            }

            PopFlow(flow, parser);
            return Anchor(sequenceStart.Anchor, new SequenceNode(start, items));
        }

        if (parser.Accept<MappingStart>(out var mappingStart))
        {
            bool flow = PushFlow(mappingStart.Style == MappingStyle.Flow, start, '{', parser);
            var entries = new List<KeyValuePair<ConfigNode, ConfigNode>>();
            while (!parser.Accept<MappingEnd>(out _))
            {
                var key = ReadNode(parser);
                var value = ReadNode(parser);
                entries.Add(new(key, value));
            }

            PopFlow(flow, parser);
            return Anchor(mappingStart.Anchor, new MappingNode(start, entries));
        }

        var alias = parser.Consume<AnchorAlias>();
        if (++aliases > MaxAliases)
        {
            throw new LimitExceededException(start, $"the file uses more than {MaxAliases} aliases ('*name')", "write the values out, or use fewer aliases");
        }

        if (anchors.TryGetValue(alias.Value.Value, out var target))
        {
            Count(start, target.Size); // an alias stands for its whole anchored value: a nested alias bomb hits MaxNodes
            return target.Node;
        }

        context.FailAt(start, string.Empty, $"the alias '*{alias.Value.Value}' refers to no anchor '&{alias.Value.Value}' above it", $"define '&{alias.Value.Value}' on an earlier value, or write the value instead of the alias");
        return new ScalarNode(start, string.Empty, quoted: false);
    }

    private ConfigNode Anchor(AnchorName anchor, ConfigNode node)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = (node, SizeOf(node, 0));
        }

        return node;
    }

    /// <summary>The values a node stands for (aliases within it counted in full, saturating past <see cref="MaxNodes"/>).</summary>
    private static long SizeOf(ConfigNode node, int level)
    {
        if (level > MaxDepth)
        {
            return MaxNodes + 1L;
        }

        long size = 1;
        switch (node)
        {
            case SequenceNode sequence:
                foreach (ConfigNode item in sequence.Items)
                {
                    size = Math.Min(size + SizeOf(item, level + 1), MaxNodes + 1L);
                }

                break;
            case MappingNode mapping:
                foreach (KeyValuePair<ConfigNode, ConfigNode> entry in mapping.Entries)
                {
                    size = Math.Min(size + SizeOf(entry.Key, level + 1) + SizeOf(entry.Value, level + 1), MaxNodes + 1L);
                }

                break;
        }

        return size;
    }

    /// <summary>A parsing limit was passed: reported as one error with the limit named.</summary>
    private sealed class LimitExceededException(TextPosition position, string problem, string fix) : Exception(problem)
    {
        public TextPosition Position { get; } = position;

        public string Problem { get; } = problem;

        public string Fix { get; } = fix;
    }

    private bool PushFlow(bool flow, TextPosition start, char opener, IParser parser)
    {
        if (flow)
        {
            openFlows.Push((start, opener));
        }

        parser.MoveNext();
        return flow;
    }

    private void PopFlow(bool flow, IParser parser)
    {
        if (flow)
        {
            openFlows.Pop();
        }

        parser.MoveNext();
    }

    private void ReportSyntaxError(TextPosition position, string message)
    {
        var (problem, fix, at) = Explain(position, message);
        context.FailAt(at, string.Empty, "invalid YAML: " + problem, fix);
    }

    private (string Problem, string Fix, TextPosition At) Explain(TextPosition position, string message)
    {
        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) || CharAt(position) == '\t')
        {
            return ("a tab character is used for indentation; YAML allows only spaces", "replace the tab with spaces (2 per level, like the rest of the file)", FindTab(position));
        }

        bool flowProblem = message.Contains("flow", StringComparison.Ordinal) || !message.Contains("While", StringComparison.Ordinal);
        if (flowProblem && (FindUnclosedFlow() ?? (openFlows.Count > 0 ? openFlows.Peek() : null)) is var (opened, opener))
        {
            char closer = opener == '[' ? ']' : '}';
            return ($"the '{opener}' opened here is not closed with '{closer}'", $"add the closing '{closer}' at the end of the value, such as [left_wheel, right_wheel]", opened);
        }

        if (message.Contains("quoted scalar", StringComparison.Ordinal))
        {
            return ("a quoted value is not closed: its opening quote has no matching closing quote", "add the closing quote (\" or ') at the end of the value on the same line", position);
        }

        if (message.Contains("found invalid mapping", StringComparison.Ordinal) || message.Contains("mapping values are not allowed", StringComparison.Ordinal))
        {
            return ("a 'key:' appears where a value was expected: the line is indented deeper than its section's keys, or a value contains ': '", "indent the line like the other keys of its section, or put the value in quotes", position);
        }

        if (message.Contains("did not find expected key", StringComparison.Ordinal))
        {
            return ("the line does not line up with the keys of its section, or text follows a value", "indent the line exactly like the other keys of its section (spaces only), and quote values that hold special characters", position);
        }

        if (message.Contains("expected '-' indicator", StringComparison.Ordinal))
        {
            return ("a list item or one of its keys is indented inconsistently", "start every item with '- ' in the same column and indent the keys of one item equally", position);
        }

        if (message.Contains("cannot start any token", StringComparison.Ordinal))
        {
            char c = CharAt(position);
            return ($"the character '{c}' cannot start a value", $"put the value in quotes, such as \"{c}...\"", position);
        }

        return ($"the parser reports: {message.TrimEnd('.')}", GeneralFix, position);
    }

    private char CharAt(TextPosition position)
    {
        string[] lines = text.Split('\n');
        if (position.Line < 1 || position.Line > lines.Length)
        {
            return '\0';
        }

        string line = lines[position.Line - 1];
        return position.Column >= 1 && position.Column <= line.Length ? line[position.Column - 1] : '\0';
    }

    /// <summary>Finds the first '[' or '{' that is never closed, skipping comments and quoted text.</summary>
    private (TextPosition Position, char Opener)? FindUnclosedFlow()
    {
        var open = new Stack<(TextPosition Position, char Opener)>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            char quote = '\0';
            for (int j = 0; j < line.Length; j++)
            {
                char c = line[j];
                bool atValueStart = j == 0 || line[j - 1] is ' ' or '\t' or '[' or '{' or ',' or ':';
                if (quote != '\0')
                {
                    quote = c == quote ? '\0' : quote;
                }
                else if (c is '"' or '\'' && atValueStart)
                {
                    quote = c;
                }
                else if (c == '#' && (j == 0 || line[j - 1] is ' ' or '\t'))
                {
                    break;
                }
                else if (c is '[' or '{')
                {
                    open.Push((new TextPosition(i + 1, j + 1), c));
                }
                else if (c is ']' or '}' && open.Count > 0)
                {
                    open.Pop();
                }
            }
        }

        return open.Count > 0 ? open.Reverse().First() : null;
    }

    /// <summary>Finds the first tab in a line's indentation at or after the reported line (the parser often reports the line before).</summary>
    private TextPosition FindTab(TextPosition reported)
    {
        string[] lines = text.Split('\n');
        for (int i = Math.Max(0, reported.Line - 1); i < lines.Length; i++)
        {
            string line = lines[i];
            int indentEnd = 0;
            while (indentEnd < line.Length && line[indentEnd] is ' ' or '\t')
            {
                indentEnd++;
            }

            int tab = line.IndexOf('\t', 0, indentEnd);
            if (tab >= 0)
            {
                return new TextPosition(i + 1, tab + 1);
            }
        }

        return reported;
    }
}
