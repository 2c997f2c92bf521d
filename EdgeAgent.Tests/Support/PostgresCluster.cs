using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace EdgeAgent.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster of the test's own: <c>initdb</c> in a temporary directory, the server on
/// 127.0.0.1 and a free port (and its Unix socket in that directory), trust authentication for the one user
/// <c>edgeagent</c>, stopped with <c>pg_ctl stop</c> and removed on dispose. As root the server runs as the
/// <c>postgres</c> user (PostgreSQL refuses to run as root). Needs Debian's <c>postgresql</c> package
/// (scripts/test.sh installs it); without it the test fails naming the package.
/// </summary>
internal sealed class PostgresCluster : IDisposable
{
    private readonly string _root;
    private readonly string _data;
    private readonly string _bin;
    private readonly bool _asPostgres;
    private bool _running;

    private PostgresCluster(string root, string bin, bool asPostgres, int port)
    {
        _root = root;
        _data = Path.Combine(root, "data");
        _bin = bin;
        _asPostgres = asPostgres;
        Port = port;
    }

    /// <summary>Gets the server's TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Gets the URL of database <paramref name="database"/> as <c>edge-agent receive --store</c> takes it.</summary>
    public string Url(string database = "postgres") => $"postgresql://edgeagent@127.0.0.1:{Port}/{database}";

    /// <summary>Gets an Npgsql connection string to <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") => $"Host=127.0.0.1;Port={Port};Username=edgeagent;Database={database};Pooling=false";

    /// <summary>Creates and starts a cluster.</summary>
    /// <param name="fsync">Whether the server syncs its writes (off for tests: nothing here crashes the server; on for benchmarks).</param>
    public static PostgresCluster Start(bool fsync = false)
    {
        string bin = FindBin();
        string root = Directory.CreateTempSubdirectory("edge-agent-pg-").FullName;
        bool root0 = Environment.UserName == "root";
        var cluster = new PostgresCluster(root, bin, root0, FreePort());
        try
        {
            if (root0)
            {
                Run("chown", "postgres:postgres", root);
            }

            cluster.AsServerUser("initdb", "-D", cluster._data, "-A", "trust", "-U", "edgeagent", "-E", "UTF8", "--locale=C", "--no-sync");
            string options = $"-c listen_addresses=127.0.0.1 -p {cluster.Port} -k {root} -c fsync={(fsync ? "on" : "off")} -c max_connections=50";
            cluster.AsServerUser("pg_ctl", "-D", cluster._data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "-o", options, "start");
            cluster._running = true;
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Creates an empty database and returns its name.</summary>
    public string CreateDatabase()
    {
        string name = "t" + Guid.NewGuid().ToString("N")[..12];
        using var db = new NpgsqlConnection(ConnectionString());
        db.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {name}", db);
        create.ExecuteNonQuery();
        return name;
    }

    /// <summary>Runs a query and returns the first column of the first row.</summary>
    public T Scalar<T>(string database, string sql)
    {
        using var db = new NpgsqlConnection(ConnectionString(database));
        db.Open();
        using var command = new NpgsqlCommand(sql, db);
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>Stops the server (fast shutdown) so a test sees the database go away; <see cref="Dispose"/> still cleans up.</summary>
    public void Stop()
    {
        if (_running)
        {
            AsServerUser("pg_ctl", "-D", _data, "-w", "-t", "60", "-m", "fast", "stop");
            _running = false;
        }
    }

    public void Dispose()
    {
        try
        {
            Stop();
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private void AsServerUser(string tool, params string[] args)
    {
        string path = Path.Combine(_bin, tool);
        if (_asPostgres)
        {
            Run("runuser", ["-u", "postgres", "--", path, .. args]);
        }
        else
        {
            Run(path, args);
        }
    }

    private static string FindBin()
    {
        string? bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            Assert.Fail("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql, or run the suite with scripts/test.sh, which installs it");
        }

        return bin!;
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }
    }
}
