using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace EdgeAgent.Configuration;

/// <summary>
/// The allowed range of a duration option. <c>[Range(typeof(TimeSpan), ...)]</c> converts its bounds with a
/// TypeConverter found by reflection, which trimming and NativeAOT do not allow; this parses them once, here.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DurationRangeAttribute : ValidationAttribute
{
    /// <summary>Initializes a new instance of the <see cref="DurationRangeAttribute"/> class.</summary>
    /// <param name="minimum">The shortest allowed, as <c>hh:mm:ss.fff</c>.</param>
    /// <param name="maximum">The longest allowed, as <c>hh:mm:ss.fff</c>.</param>
    public DurationRangeAttribute(string minimum, string maximum)
    {
        Minimum = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        Maximum = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
    }

    /// <summary>Gets the shortest allowed duration.</summary>
    public TimeSpan Minimum { get; }

    /// <summary>Gets the longest allowed duration.</summary>
    public TimeSpan Maximum { get; }

    /// <inheritdoc/>
    public override bool IsValid(object? value) => value is TimeSpan duration && duration >= Minimum && duration <= Maximum;
}
