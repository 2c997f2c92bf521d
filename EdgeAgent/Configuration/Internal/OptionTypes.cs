using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Observability;
using EdgeAgent.Sampling;
using EdgeAgent.Spill;
using EdgeAgent.Uplink;

namespace EdgeAgent.Configuration.Internal;

/// <summary>A section type of the option graph: its bindable properties and how to make a default one.</summary>
/// <param name="Type">The section's type.</param>
/// <param name="Properties">The public, readable and writable properties, in declaration order.</param>
/// <param name="Create">Makes an instance with the defaults.</param>
internal sealed record SectionType(Type Type, PropertyInfo[] Properties, Func<object> Create);

/// <summary>A list type of the option graph: its element type and how to make an empty one.</summary>
/// <param name="ElementType">The element's type.</param>
/// <param name="Create">Makes an empty list.</param>
/// <param name="ElementDefault">The default of a scalar element (the fallback when an item cannot be read).</param>
internal sealed record ListType(Type ElementType, Func<IList> Create, object? ElementDefault);

/// <summary>
/// Every type the configuration binder, validator and differ reflect over, named here with <c>typeof</c> so the
/// trimmer keeps their properties and constructors: the reflection-based binder is trim- and NativeAOT-safe
/// because it asks only this table (no <c>Activator.CreateInstance(Type)</c>, no <c>GetProperties</c> on a type
/// found at run time). A section or list added to the options must be added here; <c>OptionTypesTests</c> walks
/// the options graph with full reflection and fails naming the type that is missing.
/// </summary>
internal static class OptionTypes
{
    private const DynamicallyAccessedMemberTypes Kept = DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;

    private static readonly Dictionary<Type, SectionType> Sections = [];
    private static readonly Dictionary<Type, ListType> Lists = [];

#pragma warning disable CA1810 // the table is built in one place, in order
    static OptionTypes()
#pragma warning restore CA1810
    {
        Section<AgentOptions>();
        Section<RobotOptions>();
        Section<JointOptions>();
        Section<HalOptions>();
        Section<SimOptions>();
        Section<Ros2Options>();
        Section<MotorOptions>();
        Section<JointGainsOptions>();
        Section<BalanceOptions>();
        Section<TimingOptions>();
        Section<SafetyOptions>();
        Section<StopActionsOptions>();
        Section<GeofencePointOptions>();
        Section<SamplingOptions>();
        Section<UplinkOptions>();
        Section<SpillOptions>();
        Section<ObservabilityOptions>();
        Section<EdgeAgent.Commands.CommandOptions>();
        List<JointOptions>(null);
        List<JointGainsOptions>(null);
        List<GeofencePointOptions>(null);
        List(string.Empty);
    }

    /// <summary>Gets the section types, in the order they are listed.</summary>
    public static IReadOnlyCollection<Type> SectionTypes => Sections.Keys;

    /// <summary>Gets the list types.</summary>
    public static IReadOnlyCollection<Type> ListTypes => Lists.Keys;

    /// <summary>Finds a section type.</summary>
    /// <param name="type">A property's type.</param>
    /// <param name="section">The section, when it is one.</param>
    /// <returns>Whether <paramref name="type"/> is a section of the options.</returns>
    public static bool TryGetSection(Type type, [NotNullWhen(true)] out SectionType? section) => Sections.TryGetValue(type, out section);

    /// <summary>Finds a list type.</summary>
    /// <param name="type">A property's type.</param>
    /// <param name="list">The list, when it is one.</param>
    /// <returns>Whether <paramref name="type"/> is a list of the options.</returns>
    public static bool TryGetList(Type type, [NotNullWhen(true)] out ListType? list) => Lists.TryGetValue(type, out list);

    /// <summary>Gets a section type that must be in the table.</summary>
    /// <param name="type">The type.</param>
    /// <returns>The section.</returns>
    /// <exception cref="InvalidOperationException">It is not: a section was added to the options but not here.</exception>
    public static SectionType Section(Type type) => Sections.TryGetValue(type, out SectionType? section)
        ? section
        : throw new InvalidOperationException($"{type.FullName} is not in OptionTypes: add Section<{type.Name}>() to its table");

    private static void Section<[DynamicallyAccessedMembers(Kept)] T>()
        where T : class, new()
    {
        PropertyInfo[] properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0)
            .ToArray();
        Sections[typeof(T)] = new SectionType(typeof(T), properties, static () => new T());
    }

    private static void List<T>(T? elementDefault) =>
        Lists[typeof(List<T>)] = new ListType(typeof(T), static () => new List<T>(), elementDefault);
}
