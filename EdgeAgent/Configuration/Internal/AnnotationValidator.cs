using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;

namespace EdgeAgent.Configuration.Internal;

/// <summary>
/// Checks the DataAnnotations on every property of the option graph (sections, lists of sections),
/// producing findings with the key path (<c>motor.gains[2].kp</c>) and a fix in plain words.
/// </summary>
internal static class AnnotationValidator
{
    public static void Validate(object section, string path, List<ConfigIssue> issues)
    {
        foreach (var property in ConfigKeys.Properties(section.GetType()))
        {
            string keyPath = ConfigPath.Child(path, ConfigKeys.ToSnakeCase(property.Name));
            object? value = property.GetValue(section);
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>(inherit: true))
            {
                if (!attribute.IsValid(value))
                {
                    issues.Add(Describe(attribute, keyPath, value, property));
                }
            }

            if (value is null)
            {
                continue;
            }

            if (ConfigKeys.IsList(property.PropertyType, out var elementType) && ConfigKeys.IsSection(elementType))
            {
                int index = 0;
                foreach (object? element in (IEnumerable)value)
                {
                    if (element is not null)
                    {
                        Validate(element, ConfigPath.Index(keyPath, index), issues);
                    }

                    index++;
                }
            }
            else if (ConfigKeys.IsSection(property.PropertyType))
            {
                Validate(value, keyPath, issues);
            }
        }
    }

    private static ConfigIssue Describe(ValidationAttribute attribute, string keyPath, object? value, PropertyInfo property)
    {
        string shown = ScalarConverter.Format(value);
        switch (attribute)
        {
            case DurationRangeAttribute range:
                string from = ScalarConverter.FormatDuration(range.Minimum);
                string to = ScalarConverter.FormatDuration(range.Maximum);
                return new(keyPath, $"{shown} is outside {from}..{to}", $"set a duration between {from} and {to}");
            case RangeAttribute range:
                string min = FormatBound(range.Minimum);
                string max = FormatBound(range.Maximum);
                return new(keyPath, $"{shown} is outside the allowed range {min} to {max}", $"set a value between {min} and {max}");
            case RequiredAttribute:
                return new(keyPath, "is required but empty", $"set {ConfigKeys.ToSnakeCase(property.Name)} to a non-empty value");
            case RegularExpressionAttribute regex:
                string rule = attribute.ErrorMessage ?? $"must match the pattern {regex.Pattern}";
                return new(keyPath, $"'{value}' is not valid: it {rule}", $"change it so that it {rule}");
            default:
                return new(keyPath, attribute.FormatErrorMessage(ConfigKeys.ToSnakeCase(property.Name)).TrimEnd('.'), "correct the value");
        }
    }

    private static string FormatBound(object bound) => bound switch
    {
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => bound.ToString() ?? string.Empty,
    };
}
