using EdgeAgent.Configuration;

namespace EdgeAgent.Commands;

/// <summary>
/// Fleet commands (<c>commands:</c>): what the fleet may make this robot do. None of these keys is
/// live-tunable, and a fleet overlay may not touch the section: the fleet cannot widen its own permissions.
/// </summary>
public sealed class CommandOptions
{
    /// <summary>
    /// Gets or sets the PEM file of the fleet's public key (EC P-256, <c>-----BEGIN PUBLIC KEY-----</c>) that
    /// every command's ES256 signature must verify against. Empty: the command link is off (the agent never
    /// opens it). It needs <c>uplink.endpoint</c>. The default value is empty.
    /// </summary>
    public string PublicKeyFile { get; set; } = string.Empty;

    /// <summary>Gets or sets the issuer (<c>iss</c>) every command must name. The default value is <c>edgeagent-fleet</c>.</summary>
    public string Issuer { get; set; } = "edgeagent-fleet";

    /// <summary>
    /// Gets or sets the command types this robot accepts from the fleet, whatever the fleet's token grants:
    /// safe_stop, reset, send_to_charger, set_tuning, set_geofence, flush_telemetry, snapshot. The default value
    /// is [safe_stop, send_to_charger, flush_telemetry, snapshot]: a robot takes no remote reset, tuning or
    /// geofence unless its own configuration says so.
    /// </summary>
    public List<string> Allow { get; set; } = ["safe_stop", "send_to_charger", "flush_telemetry", "snapshot"];

    /// <summary>Gets or sets the longest a command may be valid (<c>exp - iat</c>); a longer one is refused, which bounds the replay window. The default value is 5 min.</summary>
    [DurationRange("00:00:01", "01:00:00")]
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the clock difference tolerated between fleet and robot on issue and expiry times. The default value is 30 s.</summary>
    [DurationRange("00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
