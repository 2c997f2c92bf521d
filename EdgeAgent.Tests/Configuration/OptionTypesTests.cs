using System.Reflection;
using EdgeAgent.Configuration;
using EdgeAgent.Configuration.Internal;

namespace EdgeAgent.Tests.Configuration;

/// <summary>
/// The binder's type table (what keeps the options bindable in a trimmed NativeAOT build) holds every section
/// and list of the options graph: walked here with full reflection, which the JIT build has.
/// </summary>
public sealed class OptionTypesTests
{
    [Test]
    public void EverySectionAndListReachableFromAgentOptions_IsInTheTable()
    {
        var missing = new List<string>();
        var seen = new HashSet<Type>();
        Walk(typeof(AgentOptions), seen, missing);

        Assert.That(missing, Is.Empty, "add these to OptionTypes' table");
        Assert.That(OptionTypes.SectionTypes, Is.EquivalentTo(seen.Where(t => !t.IsGenericType)), "the table lists no type the options do not use");
    }

    [Test]
    public void TheTablesProperties_AreTheBindableOnes()
    {
        foreach (Type type in OptionTypes.SectionTypes)
        {
            string[] expected = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite).Select(p => p.Name).ToArray();
            Assert.That(ConfigKeys.Properties(type).Select(p => p.Name), Is.EqualTo(expected), type.Name);
            Assert.That(OptionTypes.Section(type).Create(), Is.TypeOf(type));
        }
    }

    private static void Walk(Type type, HashSet<Type> seen, List<string> missing)
    {
        if (!seen.Add(type))
        {
            return;
        }

        if (!OptionTypes.TryGetSection(type, out _))
        {
            missing.Add($"Section<{type.Name}>()");
        }

        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite))
        {
            Type t = property.PropertyType;
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (!OptionTypes.TryGetList(t, out _))
                {
                    missing.Add($"List<{t.GetGenericArguments()[0].Name}>() for {type.Name}.{property.Name}");
                }

                Type element = t.GetGenericArguments()[0];
                if (element.IsClass && element != typeof(string))
                {
                    Walk(element, seen, missing);
                }
            }
            else if (t.IsClass && t != typeof(string) && t.GetConstructor(Type.EmptyTypes) is not null)
            {
                Walk(t, seen, missing);
            }
        }
    }
}
