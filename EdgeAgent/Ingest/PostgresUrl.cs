using System.Globalization;
using Npgsql;

namespace EdgeAgent.Ingest;

/// <summary>
/// Reads a libpq-style URL, <c>postgresql://[user[:password]@][host][:port][/database][?param=value&amp;…]</c>,
/// into an Npgsql connection string. Parameters: <c>host</c> (a Unix socket directory, e.g.
/// <c>?host=/var/run/postgresql</c>), <c>port</c>, <c>sslmode</c> (disable, prefer, require, verify-ca,
/// verify-full), <c>application_name</c>, <c>connect_timeout</c> (seconds). A password is better left out of the
/// URL (it shows in <c>ps</c>): Npgsql reads PGPASSWORD and ~/.pgpass like libpq does.
/// </summary>
internal static class PostgresUrl
{
    private const string Example = "postgresql://edgeagent@127.0.0.1:5432/fleet";

    /// <summary>Converts the URL.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The Npgsql connection string builder.</returns>
    /// <exception cref="ArgumentException">The URL is not a postgresql:// URL or has an unknown parameter; the message says which and shows an example.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "postgresql" && uri.Scheme != "postgres"))
        {
            throw new ArgumentException($"--store {Describe(url)} is not a postgresql:// URL; use for example {Example} (or postgresql:///fleet?host=/var/run/postgresql for a Unix socket).");
        }

        var builder = new NpgsqlConnectionStringBuilder { ApplicationName = "edge-agent receive" };
        if (uri.UserInfo.Length > 0)
        {
            string[] user = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(user[0]);
            if (user.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(user[1]);
            }
        }

        builder.Host = uri.Host.Length > 0 ? uri.Host.Trim('[', ']') : "/var/run/postgresql";
        builder.Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port;
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string key = Uri.UnescapeDataString(kv[0]);
            string value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : string.Empty;
            switch (key)
            {
                case "host":
                    builder.Host = value;
                    break;
                case "port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536:
                    builder.Port = port;
                    break;
                case "sslmode":
                    builder.SslMode = value switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new ArgumentException($"--store: sslmode={value} is not one of disable, allow, prefer, require, verify-ca, verify-full."),
                    };
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds > 0:
                    builder.Timeout = seconds;
                    break;
                default:
                    throw new ArgumentException($"--store: the parameter {key}={value} is unknown or out of range; supported: host, port, sslmode, application_name, connect_timeout (seconds).");
            }
        }

        return builder;
    }

    /// <summary>A data source for the fleet store at a URL: arrays on, statements prepared after their first use.</summary>
    /// <param name="url">The <c>postgresql://</c> URL.</param>
    /// <returns>The data source (the caller disposes it).</returns>
    /// <exception cref="ArgumentException">The URL is not one <see cref="Parse"/> accepts.</exception>
    public static NpgsqlDataSource CreateDataSource(string url)
    {
        NpgsqlConnectionStringBuilder connection = Parse(url);
        connection.MaxAutoPrepare = 8;   // the store's statements, prepared once per connection: no parse and plan per batch
        var builder = new NpgsqlSlimDataSourceBuilder(connection.ConnectionString);
        builder.EnableArrays();
        return builder.Build();
    }

    /// <summary>The URL without its password, for logs and messages.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The URL with the password replaced by <c>***</c>.</returns>
    public static string Describe(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        int at = url.IndexOf('@', StringComparison.Ordinal);
        if (scheme < 0 || at < scheme)
        {
            return url;
        }

        int colon = url.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? string.Concat(url.AsSpan(0, colon + 1), "***", url.AsSpan(at)) : url;
    }
}
