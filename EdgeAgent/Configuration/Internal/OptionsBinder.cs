using System.Collections;
using System.Reflection;

namespace EdgeAgent.Configuration.Internal;

/// <summary>
/// Binds <see cref="ConfigNode"/>s onto the option classes by reflection, strictly: unknown keys, duplicate
/// keys, wrong types and wrong shapes (a section where a value is expected, and so on) are all reported with
/// their key path and position, and binding carries on so one load reports every problem. Keys absent from
/// the file keep the defaults of the option classes. Nodes of the environment overlay
/// (<see cref="EnvironmentOverlay"/>) are bound the same way; their errors name the variable instead of a line,
/// and their fixes speak of variables.
/// </summary>
internal sealed class OptionsBinder(LoadContext context)
{
    private static readonly Dictionary<Type, object> DefaultInstances = [];

    /// <summary>Binds the root mapping onto <paramref name="options"/>.</summary>
    public void BindRoot(AgentOptions options, MappingNode root) => BindSection(options, root, string.Empty);

    /// <summary>Binds the keys of <paramref name="mapping"/> onto <paramref name="target"/>, a section object.</summary>
    public void BindSection(object target, MappingNode mapping, string path)
    {
        var type = target.GetType();
        var seen = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Entries)
        {
            if (keyNode is not ScalarNode key || key.IsNull)
            {
                context.FailAt(keyNode.Start, path, $"a key in {ConfigKeys.DescribeSection(path)} is not a plain name", "write keys as plain names followed by ':', such as 'rate_hz: 1000'");
                continue;
            }

            var property = key.Value.Length == 0 ? null : ConfigKeys.Find(type, key.Value);
            if (property is null)
            {
                Unknown(key, type, path);
                continue;
            }

            string keyPath = ConfigPath.Child(path, ConfigKeys.ToSnakeCase(property.Name));
            if (seen.TryGetValue(property.Name, out var first))
            {
                context.FailAt(key.Start, keyPath, $"'{key.Value}' appears twice in {ConfigKeys.DescribeSection(path)} (first on line {first.Start.Line})", $"keep one of the two lines ({first.Start.Line} and {key.Start.Line}) and delete the other");
                continue;
            }

            seen[property.Name] = key;
            if (key.Environment is { } variable)
            {
                context.RecordEnvironment(keyPath, variable.Variable);
            }
            else
            {
                context.RecordFile(keyPath, key.Start);
            }

            object? value = BindValue(property.PropertyType, property.GetValue(target), valueNode, keyPath, key.Start, DefaultOf(property));
            property.SetValue(target, value);
        }
    }

    private void Unknown(ScalarNode key, Type type, string path)
    {
        string unknownPath = ConfigPath.Child(path, key.Value);
        string what = path.Length == 0 ? "section" : "key";
        if (key.Environment is not { } variable)
        {
            context.FailAt(key.Start, unknownPath, $"unknown {what} '{key.Value}' in {ConfigKeys.DescribeSection(path)}", ConfigKeys.UnknownKeyFix(key.Value, type, path));
            return;
        }

        var known = ConfigKeys.KeysOf(type);
        string? closest = ConfigKeys.Closest(key.Value, known);
        string where = path.Length == 0 ? "sections" : $"keys of '{path}'";
        string fix = closest is null
            ? $"use one of the {where}: {string.Join(", ", known)}; or unset the variable"
            : $"did you mean {variable.WithSegment(closest.ToUpperInvariant())}? (the {where}: {string.Join(", ", known)})";
        string problem = key.Value.Length == 0
            ? "the variable name has an empty segment (a '____' or a trailing '__')"
            : $"unknown {what} '{variable.Text}' in {ConfigKeys.DescribeSection(path)}";
        context.FailFromEnvironment(variable.Variable, unknownPath, problem, fix);
    }

    private static string DefaultOf(PropertyInfo property)
    {
        var declaring = property.DeclaringType!;
        object instance;
        lock (DefaultInstances)
        {
            if (!DefaultInstances.TryGetValue(declaring, out instance!))
            {
                instance = OptionTypes.Section(declaring).Create();
                DefaultInstances[declaring] = instance;
            }
        }

        return ScalarConverter.Format(property.GetValue(instance));
    }

    private static string Shape(ConfigNode node) => node switch
    {
        MappingNode => "a section (indented 'key: value' lines)",
        SequenceNode => "a list ('- ' items)",
        ScalarNode scalar => $"the single value '{scalar.Value}'",
        _ => "something else",
    };

    /// <summary>Binds one value; returns the new value, or <paramref name="current"/> when the node cannot be bound.</summary>
    private object? BindValue(Type type, object? current, ConfigNode node, string path, TextPosition keyAt, string example)
    {
        if (OptionTypes.TryGetList(type, out ListType? listType))
        {
            return BindList(listType, current, node, path, keyAt);
        }

        if (OptionTypes.TryGetSection(type, out SectionType? sectionType))
        {
            var section = current ?? sectionType.Create();
            switch (node)
            {
                case MappingNode mapping:
                    BindSection(section, mapping, path);
                    break;
                case ScalarNode { IsNull: true, Environment: null }:
                    break;
                case ScalarNode { Environment: { } variable }:
                    context.FailFromEnvironment(variable.Variable, path, $"'{path}' is a section, not a single value", $"add the key, such as {variable.Then(ConfigKeys.KeysOf(type)[0].ToUpperInvariant())}");
                    break;
                default:
                    context.FailAt(keyAt, path, $"'{path}' is a section, but the file gives {Shape(node)}", $"write its keys on the lines below '{LastKey(path)}:', indented by 2 more spaces (keys: {string.Join(", ", ConfigKeys.KeysOf(type))})");
                    break;
            }

            return section;
        }

        if (node is not ScalarNode scalar)
        {
            if (node.Environment is { Next: { } next } variable)
            {
                context.FailFromEnvironment(variable.Variable, path, $"'{path}' is a single value and has no key '{next}'", $"end the variable name at __{variable.Text}");
            }
            else
            {
                context.FailAt(keyAt, path, $"expected a single {ScalarConverter.Describe(type)}, but the file gives {Shape(node)}", $"write the value on the same line as the key, such as '{LastKey(path)}: {example}'");
            }

            return current;
        }

        var conversion = ScalarConverter.Convert(type, scalar.Value, scalar.IsNull, example);
        if (!conversion.Ok)
        {
            if (scalar.Environment is { } variable)
            {
                context.FailFromEnvironment(variable.Variable, path, conversion.Problem, conversion.Fix.Replace("delete the line", "unset the variable", StringComparison.Ordinal));
            }
            else
            {
                context.FailAt(scalar.IsNull ? keyAt : scalar.Start, path, conversion.Problem, conversion.Fix);
            }

            return current;
        }

        return conversion.Value;
    }

    private object? BindList(ListType listType, object? current, ConfigNode node, string path, TextPosition keyAt)
    {
        Type elementType = listType.ElementType;
        IList list = listType.Create();
        if (node is ScalarNode { IsNull: true, Environment: null })
        {
            return list;
        }

        if (node.Environment is { } variable && node is not SequenceNode)
        {
            if (node is MappingNode && variable.Next is { } index)
            {
                // The variable indexes a list the file does not have.
                var (errorPath, problem, missingFix) = EnvironmentOverlay.MissingEntry(index, path, 0);
                context.FailFromEnvironment(variable.Variable, errorPath, problem, missingFix);
            }
            else
            {
                string entryKey = ConfigKeys.IsSection(elementType) ? "__" + ConfigKeys.KeysOf(elementType)[0].ToUpperInvariant() : string.Empty;
                context.FailFromEnvironment(variable.Variable, path, $"'{path}' is a list; the environment sets one entry at a time", $"add the entry's index, such as {variable.Then("0")}{entryKey}");
            }

            return current;
        }

        if (node is not SequenceNode sequence)
        {
            string fix = ConfigKeys.IsSection(elementType)
                ? $"start each item with '- ' on its own line, such as '- {ConfigKeys.KeysOf(elementType)[0]}: ...'"
                : "write the items in brackets, such as [left_wheel, right_wheel], or one '- item' per line";
            context.FailAt(keyAt, path, $"'{path}' is a list, but the file gives {Shape(node)}", fix);
            return current;
        }

        for (int i = 0; i < sequence.Items.Count; i++)
        {
            var item = sequence.Items[i];
            string itemPath = ConfigPath.Index(path, i);
            if (item.Environment is { } itemVariable)
            {
                context.RecordEnvironment(itemPath, itemVariable.Variable);
            }
            else
            {
                context.RecordFile(itemPath, item.Start);
            }

            if (OptionTypes.TryGetSection(elementType, out SectionType? elementSection))
            {
                var element = elementSection.Create();
                if (item is MappingNode mapping)
                {
                    BindSection(element, mapping, itemPath);
                }
                else if (item.Environment is { } entryVariable)
                {
                    context.FailFromEnvironment(entryVariable.Variable, itemPath, $"'{itemPath}' is a set of keys, not a single value", $"add the key, such as {entryVariable.Then(ConfigKeys.KeysOf(elementType)[0].ToUpperInvariant())}");
                    context.SuppressBelow(path); // the file's entry is gone from the tree: checks of the list would only repeat this

                }
                else
                {
                    context.FailAt(item.Start, itemPath, $"each item of '{path}' is a set of keys, but item {i} is {Shape(item)}", $"write the item's keys after '- ', such as '- {ConfigKeys.KeysOf(elementType)[0]}: ...', with its other keys indented below it");
                }

                list.Add(element);
            }
            else
            {
                object? fallback = listType.ElementDefault;
                list.Add(BindValue(elementType, fallback, item, itemPath, item.Start, ScalarConverter.Format(fallback)));
            }
        }

        return list;
    }

    private static string LastKey(string path)
    {
        int dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }
}
