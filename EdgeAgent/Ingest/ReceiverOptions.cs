using System.Net;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Ingest;

/// <summary>Options of the <see cref="ReferenceReceiver"/>.</summary>
internal sealed class ReceiverOptions
{
    /// <summary>The port <c>edge-agent receive</c> listens on by default.</summary>
    public const int DefaultPort = 50051;

    /// <summary>
    /// Gets or sets the address and port to listen on (port 0 picks a free port; see <see cref="ReferenceReceiver.Port"/>).
    /// Must be a loopback address unless <see cref="AllowRemote"/> is set. The default value is 127.0.0.1:50051.
    /// </summary>
    public IPEndPoint Listen { get; set; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>Gets or sets a value indicating whether a non-loopback <see cref="Listen"/> address is allowed. The default value is <see langword="false"/>.</summary>
    public bool AllowRemote { get; set; }

    /// <summary>Gets or sets a file that receives one JSON line per unique batch (appended, flushed per batch). The default value is <see langword="null"/> (no file).</summary>
    public string? OutputPath { get; set; }

    /// <summary>
    /// Gets or sets the fleet store, a postgresql:// URL (<see cref="PostgresUrl"/>): batches go to PostgreSQL and
    /// their de-duplication holds across restarts and receivers. The default value is <see langword="null"/>
    /// (de-duplication in memory, and <see cref="OutputPath"/> if set).
    /// </summary>
    public string? StoreUrl { get; set; }

    /// <summary>Gets or sets this receiver's name in the store's rows. The default value is <see langword="null"/> (host name and listen address).</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the PEM certificate for TLS; set with <see cref="KeyPath"/>. The default value is <see langword="null"/> (cleartext HTTP/2).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Gets or sets the PEM private key of <see cref="CertificatePath"/>. The default value is <see langword="null"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Gets or sets the bearer token every call must carry (<c>authorization: Bearer …</c>); calls without it fail with Unauthenticated. The default value is <see langword="null"/> (no check).</summary>
    public string? ExpectedToken { get; set; }

    /// <summary>Gets or sets the logger factory of the receiver and its web host. The default value is <see langword="null"/> (no logging).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the fleet rules (low battery, geofence, stale); null: off.</summary>
    public FleetRulesOptions? Rules { get; set; }

    /// <summary>Gets or sets the fleet's private key (fleet.key) the rules sign their commands with; null: the rules only raise alerts.</summary>
    public string? FleetKeyPath { get; set; }

    /// <summary>Gets or sets the issuer of the rules' commands (the robots' commands.issuer). The default value is <c>edgeagent-fleet</c>.</summary>
    public string FleetIssuer { get; set; } = new EdgeAgent.Commands.CommandOptions().Issuer;

    /// <summary>
    /// Gets or sets where the other receivers on the store reach this one (<c>--advertise http://10.0.0.7:50051</c>):
    /// recorded for each robot whose command link this receiver holds, so that a command issued at another
    /// receiver is forwarded here. Null: not recorded (a command must be issued at the receiver holding the link).
    /// </summary>
    public Uri? Advertise { get; set; }

    /// <summary>Gets or sets the clock of the fleet rules (tests); null: the system clock.</summary>
    public TimeProvider? Time { get; set; }
}
