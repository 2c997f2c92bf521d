using System.Globalization;
using System.Text.Json;
using EdgeAgent.Configuration;

namespace EdgeAgent.Control.Safety;

/// <summary>The one text form of each safety value, as the logs, the status line and the run summary show it.</summary>
internal static class SafetyText
{
    /// <summary>OK, LOW_BATTERY or SAFE_STOP.</summary>
    /// <param name="state">The state.</param>
    /// <returns>Its text.</returns>
    public static string State(SafetyState state) => state switch
    {
        SafetyState.SafeStop => "SAFE_STOP",
        SafetyState.LowBattery => "LOW_BATTERY",
        _ => "OK",
    };

    /// <summary>The snake_case name of a cause, as in <c>safety.stop_actions</c>: <c>joint_position</c>.</summary>
    /// <param name="cause">The cause.</param>
    /// <returns>Its text.</returns>
    public static string Cause(SafetyCause cause) => JsonNamingPolicy.SnakeCaseLower.ConvertName(cause.ToString());

    /// <summary><c>category0</c>..<c>category2</c>, as in <c>safety.stop_actions</c>.</summary>
    /// <param name="category">The category.</param>
    /// <returns>Its text.</returns>
    public static string Category(StopCategory category) => category switch
    {
        StopCategory.Category0 => "category0",
        StopCategory.Category1 => "category1",
        _ => "category2",
    };

    /// <summary><c>stopping</c>, <c>lowering</c>, <c>holding</c>, <c>torque_off</c> or <c>none</c>.</summary>
    /// <param name="phase">The phase.</param>
    /// <returns>Its text.</returns>
    public static string Phase(StopPhase phase) => JsonNamingPolicy.SnakeCaseLower.ConvertName(phase.ToString());

    /// <summary><c>second_fault</c>, <c>timeout</c>, <c>rest_not_reached</c> or <c>none</c>.</summary>
    /// <param name="escalation">The reason.</param>
    /// <returns>Its text.</returns>
    public static string Escalation(StopEscalation escalation) => JsonNamingPolicy.SnakeCaseLower.ConvertName(escalation.ToString());

    /// <summary>What tripped an <c>overruns</c> stop, such as <c> (control gap 102.3 ms)</c>; empty for other causes.</summary>
    /// <param name="safety">The supervisor.</param>
    /// <param name="limits">The limits in force.</param>
    /// <returns>The detail, with a leading space, or empty.</returns>
    public static string Detail(SafetySupervisor safety, SafetyLimits limits)
    {
        if (safety.Cause != SafetyCause.Overruns)
        {
            return string.Empty;
        }

        return safety.TripGapNs > 0
            ? string.Create(CultureInfo.InvariantCulture, $" (control gap {safety.TripGapNs / 1e6:F1} ms > max_control_gap {limits.MaxControlGapNs / 1e6:F0} ms)")
            : string.Create(CultureInfo.InvariantCulture, $" (missed {safety.TripMissedShare * 100:F0} % of periods > missed_period_limit {limits.MissedPeriodLimit * 100:F0} %)");
    }

    /// <summary>The whole safety state in a few words: <c>OK</c>, <c>SAFE_STOP (overruns (control gap …), category1, lowering)</c>.</summary>
    /// <param name="safety">The supervisor.</param>
    /// <param name="limits">The limits in force.</param>
    /// <returns>The text.</returns>
    public static string Summary(SafetySupervisor safety, SafetyLimits limits)
    {
        SafetyState state = safety.State;
        if (state != SafetyState.SafeStop)
        {
            return State(state);
        }

        string escalated = safety.LastEscalation == StopEscalation.None ? string.Empty : $", escalated: {Escalation(safety.LastEscalation)}";
        return $"SAFE_STOP ({Cause(safety.Cause)}{Detail(safety, limits)}, {Category(safety.Category)}, {Phase(safety.Phase)}{escalated})";
    }
}
