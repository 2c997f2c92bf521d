using System.Net;

namespace EdgeAgent.Observability;

/// <summary>When the one-line status is printed to the log (<c>observability.status_line</c>).</summary>
public enum StatusLineMode
{
    /// <summary>Every second at a terminal; never under systemd, where the line goes to <c>systemctl status</c> (sd_notify STATUS=) and the journal gets events only.</summary>
    Auto,

    /// <summary>Every second, under systemd too.</summary>
    Always,

    /// <summary>Never (like <c>run --quiet</c>).</summary>
    Never,
}

/// <summary>The metrics and health endpoint (<c>observability:</c>).</summary>
public sealed class ObservabilityOptions
{
    /// <summary>The default listen address: loopback, the port the OpenTelemetry Prometheus exporter uses.</summary>
    public const string DefaultListen = "127.0.0.1:9464";

    /// <summary>
    /// Gets or sets the address of <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c> and <c>/status</c> (plain HTTP),
    /// as IP:PORT (<c>[::1]:9464</c> for IPv6; port 0 picks a free one). Empty turns the endpoint off. A
    /// non-loopback address needs <see cref="AllowRemote"/>. The default value is <c>127.0.0.1:9464</c>.
    /// </summary>
    public string Listen { get; set; } = DefaultListen;

    /// <summary>Gets or sets a value indicating whether a non-loopback <see cref="Listen"/> address is allowed. The default value is <see langword="false"/>.</summary>
    public bool AllowRemote { get; set; }

    /// <summary>Gets or sets when the one-line status is logged every second. The default value is <see cref="StatusLineMode.Auto"/>.</summary>
    public StatusLineMode StatusLine { get; set; } = StatusLineMode.Auto;

    /// <summary>Parses <see cref="Listen"/>.</summary>
    /// <param name="endpoint">The endpoint; null when the endpoint is off.</param>
    /// <returns><see langword="null"/> when valid, otherwise what is wrong.</returns>
    internal string? TryParseListen(out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (Listen.Length == 0)
        {
            return null;
        }

        if (!IPEndPoint.TryParse(Listen, out IPEndPoint? parsed) || !Listen.Contains(':', StringComparison.Ordinal))
        {
            return $"'{Listen}' is not IP:PORT";
        }

        if (!IPAddress.IsLoopback(parsed.Address) && !AllowRemote)
        {
            return $"{Listen} is not a loopback address; the endpoint would be reachable from the network without authentication";
        }

        endpoint = parsed;
        return null;
    }
}
