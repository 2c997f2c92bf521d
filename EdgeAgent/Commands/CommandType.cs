namespace EdgeAgent.Commands;

/// <summary>The commands the fleet can send, by their wire names (the token's <c>cmd</c> claim and <c>commands.allow</c>).</summary>
internal static class CommandType
{
    public const string SafeStop = "safe_stop";
    public const string Reset = "reset";
    public const string SendToCharger = "send_to_charger";
    public const string SetTuning = "set_tuning";
    public const string SetGeofence = "set_geofence";
    public const string FlushTelemetry = "flush_telemetry";
    public const string Snapshot = "snapshot";

    /// <summary>Gets every command type, in documentation order.</summary>
    public static IReadOnlyList<string> All { get; } = [SafeStop, Reset, SendToCharger, SetTuning, SetGeofence, FlushTelemetry, Snapshot];

    /// <summary>Whether <paramref name="type"/> names a command.</summary>
    /// <param name="type">The name.</param>
    /// <returns><see langword="true"/> for one of <see cref="All"/>.</returns>
    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}
