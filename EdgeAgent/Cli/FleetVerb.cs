using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Commands;
using EdgeAgent.Configuration;
using CommandResult = EdgeAgent.Protocol.Protos.CommandResult;
using FleetControl = EdgeAgent.Protocol.Protos.FleetControl;
using IssueRequest = EdgeAgent.Protocol.Protos.IssueRequest;
using EdgeAgent.Uplink;
using Grpc.Core;
using Grpc.Net.Client;
using Status = EdgeAgent.Protocol.Protos.CommandResult.Types.Status;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent fleet keygen|command|status</c>: the fleet side of the command link. <c>keygen</c> writes the key
/// pair that signs commands; <c>command</c> signs one command for one robot and hands it to a receiver
/// (<c>FleetControl.Issue</c>), which sends it down the robot's command link and returns the robot's result;
/// <c>status</c> shows every robot in the fleet store.
/// </summary>
internal static class FleetVerb
{
    /// <summary>Exit code of a command the robot did not carry out (rejected, expired, not permitted, undelivered).</summary>
    public const int NotDone = 3;

    /// <summary>Exit code of <c>fleet status</c> when the store cannot be read (<c>EX_UNAVAILABLE</c>).</summary>
    public const int FleetUnavailable = 69;

    /// <summary>Creates the verb.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("fleet", "The fleet side: sign and send commands to robots, see the fleet at a glance.");
        command.Subcommands.Add(CreateKeygen());
        command.Subcommands.Add(CreateCommand());
        command.Subcommands.Add(CreateStatus());
        command.Subcommands.Add(CreateSimulate());
        return command;
    }

    private static Command CreateKeygen()
    {
        var output = new Option<string>("--out") { Description = "Directory for fleet.key (private, mode 0600) and fleet.pub (the robots' commands.public_key_file).", Required = true };
        var command = new Command("keygen", "Create the fleet's ES256 (P-256) command-signing key pair; never overwrites one.") { output };
        command.SetAction(parse =>
        {
            try
            {
                (string privateKey, string publicKey) = CommandSigner.WriteKeyPair(parse.GetValue(output)!);
                Console.WriteLine($"edge-agent fleet keygen: wrote {privateKey} (private: keep it on the fleet side, mode 0600) and {publicKey} (install it on each robot as commands.public_key_file)");
                return CliExit.Clean;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"edge-agent fleet keygen: {ex.Message}");
                return CliExit.Failure;
            }
        });
        return command;
    }

    private static Command CreateCommand()
    {
        var robot = new Argument<string>("robot") { Description = "The robot's id (its ROBOT_ID / uplink.robot_id)." };
        var type = new Argument<string>("type") { Description = "The command: " + string.Join(", ", CommandType.All) + "." };
        type.AcceptOnlyFromAmong([.. CommandType.All]);
        var key = new Option<string>("--key") { Description = "The fleet's private key (fleet.key from 'fleet keygen').", Required = true };
        var receiver = new Option<string>("--receiver") { Description = "The receiver the robot's command link is connected to.", DefaultValueFactory = _ => "http://127.0.0.1:50051" };
        var ca = new Option<string?>("--ca") { Description = "PEM CA file the receiver's TLS certificate must chain to (https)." };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding the receiver's bearer token." };
        var overlay = new Option<string?>("--overlay") { Description = "set_tuning: the YAML file of the sections and keys to change ('-' reads stdin)." };
        var geofence = new Option<string?>("--geofence") { Description = "set_geofence: the polygon as 'x,y x,y x,y ...' in metres ('' removes the geofence)." };
        var reason = new Option<string?>("--reason") { Description = "Why (send_to_charger, safe_stop): in the robot's result and log, and with the charge request." };
        var lifetime = new Option<TimeSpan>("--lifetime")
        {
            Description = "How long the command is valid (the robot refuses it after; at most its commands.max_lifetime).",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(1),
            CustomParser = r => Durations.OptionParser("--lifetime", "1m", TimeSpan.FromSeconds(1), TimeSpan.FromHours(1))(r) ?? TimeSpan.Zero,
        };
        var wait = new Option<TimeSpan>("--wait")
        {
            Description = "How long to wait for the robot's result (at most 60s).",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
            CustomParser = r => Durations.OptionParser("--wait", "10s", TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(60))(r) ?? TimeSpan.Zero,
        };
        var issuer = new Option<string>("--issuer") { Description = "The issuer the robots expect (their commands.issuer).", DefaultValueFactory = _ => new CommandOptions().Issuer };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };
        var command = new Command("command", "Sign a command for a robot and send it through a receiver; prints the robot's result (exit 0 done, 3 not done).")
        {
            robot, type, key, receiver, ca, tokenFile, overlay, geofence, reason, lifetime, wait, issuer, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string robotId = parse.GetValue(robot)!;
            string commandType = parse.GetValue(type)!;
            if (!TryArguments(commandType, parse.GetValue(overlay), parse.GetValue(geofence), parse.GetValue(reason), out Action<Utf8JsonWriter>? arguments, out string? usage))
            {
                await Console.Error.WriteLineAsync("edge-agent fleet command: " + usage);
                return CliExit.Usage;
            }

            string token;
            string id;
            try
            {
                using var signer = new CommandSigner(CommandSigner.LoadPrivateKey(parse.GetValue(key)!), parse.GetValue(issuer)!);
                (token, id) = signer.Sign(robotId, commandType, parse.GetValue(lifetime), DateTimeOffset.UtcNow, arguments);
            }
            catch (InvalidOperationException ex)
            {
                await Console.Error.WriteLineAsync("edge-agent fleet command: " + ex.Message);
                return CliExit.NoInput;
            }

            CommandResult result;
            try
            {
                result = await IssueAsync(parse.GetValue(receiver)!, parse.GetValue(ca), parse.GetValue(tokenFile), robotId, token, parse.GetValue(wait), cancellationToken);
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException or UriFormatException or IOException or CryptographicException)
            {
                string why = ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message;
                await Console.Error.WriteLineAsync($"edge-agent fleet command: {parse.GetValue(receiver)} did not take command {id} ({why}). Fix: check --receiver, --token-file and --ca, and that 'edge-agent receive' runs there.");
                return CliExit.Failure;
            }

            Print(result, id, parse.GetValue(json));
            return result.Status == Status.Done ? CliExit.Clean : NotDone;
        });
        return command;
    }

    private static Command CreateStatus()
    {
        var store = new Option<string>("--store") { Description = "The fleet store, e.g. postgresql://edgeagent@127.0.0.1:5432/fleet (password from PGPASSWORD or ~/.pgpass).", Required = true };
        var staleAfter = new Option<TimeSpan>("--stale-after")
        {
            Description = "A robot with no batch stored for this long shows as STALE.",
            DefaultValueFactory = _ => new Ingest.FleetRulesOptions().StaleAfter,
            CustomParser = r => Durations.OptionParser("--stale-after", "30s", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1))(r) ?? TimeSpan.Zero,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: {\"robots\": [...]}." };
        var command = new Command("status", "The fleet at a glance from the store: per robot last seen, battery, safety, uplink lag, gaps, open alerts, last command (exit 0; 1 when any robot is stopped, stale or alerting).")
        {
            store, staleAfter, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<Ingest.FleetRobotStatus> robots;
            try
            {
                robots = await Ingest.FleetStatusReader.ReadAsync(parse.GetValue(store)!, parse.GetValue(staleAfter), cancellationToken);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync("edge-agent fleet status: " + ex.Message);
                return CliExit.Usage;
            }
            catch (Ingest.BatchStoreUnavailableException ex)
            {
                await Console.Error.WriteLineAsync("edge-agent fleet status: " + ex.Message);
                return FleetUnavailable;
            }

            Console.Out.Write(parse.GetValue(json) ? FleetStatusJson(robots) : FleetStatusText(robots));
            return robots.Any(NeedsAttention) ? CliExit.Failure : CliExit.Clean;
        });
        return command;
    }

    private static Command CreateSimulate()
    {
        var robots = new Option<int>("--robots") { Description = "How many simulated robots (1-500), each an edge-agent run process with ROBOT_ID sim-001, sim-002, ….", Required = true };
        var receiver = new Option<string?>("--receiver") { Description = "Stream to this receiver (e.g. http://127.0.0.1:50051); default: start one in this process." };
        var store = new Option<string?>("--store") { Description = "The store of the receiver started here (postgresql://…); default: memory." };
        var keys = new Option<string?>("--fleet-keys") { Description = "A directory with fleet.key and fleet.pub (edge-agent fleet keygen): the robots open their command link and the receiver's fleet rules send commands." };
        var config = new Option<string?>("--config") { Description = "The robots' configuration file (default: the shipped agent.yaml)." };
        var duration = new Option<TimeSpan?>("--duration")
        {
            Description = "Stop after this long (default: at SIGTERM or Ctrl-C).",
            CustomParser = r => Durations.OptionParser("--duration", "60s", TimeSpan.FromSeconds(1), TimeSpan.FromDays(30))(r),
        };
        var dir = new Option<string?>("--dir") { Description = "Where each robot's log and spill go (default: a new temporary directory)." };
        var command = new Command("simulate", "Run N simulated robots against one receiver (and PostgreSQL) on this machine, as deploy/k8s runs them in a cluster.")
        {
            robots, receiver, store, keys, config, duration, dir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int count = parse.GetValue(robots);
            if (count is < 1 or > 500)
            {
                await Console.Error.WriteLineAsync($"edge-agent fleet simulate: --robots {count}: give 1-500 (each robot is a process with a 1 kHz loop; a bigger fleet is deploy/k8s or the store benchmark's load generator).");
                return CliExit.Usage;
            }

            Uri? target = null;
            if (parse.GetValue(receiver) is { } text && (!Uri.TryCreate(text, UriKind.Absolute, out target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps)))
            {
                await Console.Error.WriteLineAsync($"edge-agent fleet simulate: --receiver {text} is not an http:// or https:// URL.");
                return CliExit.Usage;
            }

            if (target is not null && (parse.GetValue(store) is not null))
            {
                await Console.Error.WriteLineAsync("edge-agent fleet simulate: --store goes with the receiver started here; the receiver at --receiver has its own.");
                return CliExit.Usage;
            }

            string? keyDir = parse.GetValue(keys);
            if (keyDir is not null && !(File.Exists(Path.Combine(keyDir, "fleet.key")) && File.Exists(Path.Combine(keyDir, "fleet.pub"))))
            {
                await Console.Error.WriteLineAsync($"edge-agent fleet simulate: --fleet-keys {keyDir} holds no fleet.key and fleet.pub; make them with 'edge-agent fleet keygen --out {keyDir}'.");
                return CliExit.NoInput;
            }

            string configPath = parse.GetValue(config) ?? AgentCli.DefaultConfigPath();
            if (!AgentCli.TryLoad(configPath, out _, "no robot was started"))
            {
                return CliExit.Config;
            }

            string workDir = parse.GetValue(dir) ?? Directory.CreateTempSubdirectory("edge-agent-fleet-sim-").FullName;
            using var stop = new TerminationSignals(cancellationToken);
            try
            {
                var plan = new FleetSimulation.Plan(count, Path.GetFullPath(workDir), Path.GetFullPath(configPath), target, parse.GetValue(store), keyDir is null ? null : Path.GetFullPath(keyDir), parse.GetValue(duration));
                return await FleetSimulation.RunAsync(plan, Console.Out, stop.Token);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or InvalidOperationException or Ingest.BatchStoreUnavailableException or System.ComponentModel.Win32Exception)
            {
                await Console.Error.WriteLineAsync("edge-agent fleet simulate: " + ex.Message);
                return ex is ArgumentException ? CliExit.Usage : CliExit.Failure;
            }
        });
        return command;
    }

    private static bool NeedsAttention(Ingest.FleetRobotStatus r) => r.Stale || r.Safety == "SAFE_STOP" || r.Alerts.Length > 0;

    /// <summary>Renders the fleet for a person: one line per robot, the ones that need attention marked.</summary>
    internal static string FleetStatusText(IReadOnlyList<Ingest.FleetRobotStatus> robots)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var b = new System.Text.StringBuilder();
        if (robots.Count == 0)
        {
            return "no robots in the store yet\n";
        }

        int width = Math.Max(5, robots.Max(r => r.RobotId.Length));
        b.Append(c, $"  {"robot".PadRight(width)}  {"last seen",-11} {"battery",8}  {"safety",-22} {"lag",8} {"gaps",5}  alerts / last command").AppendLine();
        foreach (Ingest.FleetRobotStatus r in robots)
        {
            string safety = r.Cause.Length > 0 ? $"{r.Safety} ({r.Cause})" : r.Safety;
            string seen = r.Stale ? string.Create(c, $"STALE {Age(r.LastSeenS)}") : Age(r.LastSeenS) + " ago";
            string notes = r.Alerts.Length > 0 ? "ALERT " + r.Alerts : r.LastCommand;
            b.Append(c, $"{(NeedsAttention(r) ? "! " : "  ")}{r.RobotId.PadRight(width)}  {seen,-11} {r.BatteryPercent,6:0.0} %  {safety,-22} {r.LagS,6:0.00} s {r.Gaps,5}  {notes}").AppendLine();
        }

        int stopped = robots.Count(r => r.Safety == "SAFE_STOP");
        int stale = robots.Count(r => r.Stale);
        int alerting = robots.Count(r => r.Alerts.Length > 0);
        b.Append(c, $"{robots.Count} robot(s): {robots.Count - robots.Count(NeedsAttention)} fine, {stopped} stopped, {stale} stale, {alerting} with open alerts").AppendLine();
        return b.ToString();
    }

    private static string FleetStatusJson(IReadOnlyList<Ingest.FleetRobotStatus> robots)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("robots");
            foreach (Ingest.FleetRobotStatus r in robots)
            {
                w.WriteStartObject();
                w.WriteString("robot_id", r.RobotId);
                w.WriteString("boot_id", r.BootId);
                w.WriteNumber("seq", r.Seq);
                w.WriteNumber("last_seen_s", r.LastSeenS);
                w.WriteBoolean("stale", r.Stale);
                w.WriteNumber("lag_s", r.LagS);
                w.WriteString("receiver", r.Receiver);
                w.WriteNumber("battery_percent", r.BatteryPercent);
                w.WriteString("safety", r.Safety);
                w.WriteString("cause", r.Cause);
                w.WriteNumber("x", r.X);
                w.WriteNumber("y", r.Y);
                w.WriteNumber("batches", r.Batches);
                w.WriteNumber("samples", r.Samples);
                w.WriteNumber("gaps", r.Gaps);
                w.WriteString("alerts", r.Alerts);
                w.WriteString("last_command", r.LastCommand);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string Age(double seconds) => seconds switch
    {
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0} min"),
        < 172800 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.0} h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400:0} d"),
    };

    private static async Task<CommandResult> IssueAsync(string address, string? ca, string? tokenFile, string robotId, string token, TimeSpan wait, CancellationToken cancellationToken)
    {
        var endpoint = new Uri(address);
        var headers = new Metadata();
        if (tokenFile is not null)
        {
            if (endpoint.Scheme != Uri.UriSchemeHttps && !endpoint.IsLoopback)
            {
                throw new InvalidOperationException($"--token-file needs an https:// receiver ('{address}' would carry the token in clear text)");
            }

            headers.Add("authorization", "Bearer " + BatchSender.ReadToken(tokenFile));
        }

        var options = new UplinkOptions { Endpoint = address, CaFile = ca ?? string.Empty, AttemptTimeout = TimeSpan.FromSeconds(5) };
        using GrpcChannel channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = BatchSender.CreateHandler(options) });
        var client = new FleetControl.FleetControlClient(channel);
        var request = new IssueRequest { RobotId = robotId, Token = token, WaitMs = (uint)wait.TotalMilliseconds };
        return await client.IssueAsync(request, headers, deadline: DateTime.UtcNow + wait + TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
    }

    private static bool TryArguments(string type, string? overlay, string? geofence, string? reason, out Action<Utf8JsonWriter>? arguments, out string? usage)
    {
        arguments = null;
        usage = null;
        if (overlay is not null && type != CommandType.SetTuning)
        {
            usage = "--overlay goes with set_tuning";
            return false;
        }

        if (geofence is not null && type != CommandType.SetGeofence)
        {
            usage = "--geofence goes with set_geofence";
            return false;
        }

        string? overlayText = null;
        if (type == CommandType.SetTuning)
        {
            if (overlay is null)
            {
                usage = "set_tuning needs --overlay FILE (YAML: the sections and keys to change, e.g. 'balance:\\n  tilt_gain: 95')";
                return false;
            }

            try
            {
                overlayText = overlay == "-" ? Console.In.ReadToEnd() : File.ReadAllText(overlay);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                usage = $"--overlay {overlay}: {ex.Message}";
                return false;
            }
        }

        List<(double X, double Y)>? points = null;
        if (type == CommandType.SetGeofence)
        {
            if (geofence is null)
            {
                usage = "set_geofence needs --geofence 'x,y x,y x,y ...' (metres; '' removes the geofence)";
                return false;
            }

            points = [];
            foreach (string pair in geofence.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] xy = pair.Split(',');
                if (xy.Length != 2 || !double.TryParse(xy[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.TryParse(xy[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double y))
                {
                    usage = $"--geofence: '{pair}' is not x,y (write e.g. --geofence '-10,-10 10,-10 10,10 -10,10')";
                    return false;
                }

                points.Add((x, y));
            }
        }

        arguments = w =>
        {
            if (overlayText is not null)
            {
                w.WriteString("overlay", overlayText);
            }

            if (points is not null)
            {
                w.WriteStartArray("geofence");
                foreach ((double x, double y) in points)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(x);
                    w.WriteNumberValue(y);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
            }

            if (!string.IsNullOrEmpty(reason))
            {
                w.WriteString("reason", reason);
            }
        };
        return true;
    }

    private static void Print(CommandResult result, string id, bool json)
    {
        if (json)
        {
            using var writer = new Utf8JsonWriter(Console.OpenStandardOutput());
            writer.WriteStartObject();
            writer.WriteString("robot_id", result.RobotId);
            writer.WriteString("boot_id", result.BootId);
            writer.WriteString("command_id", result.CommandId.Length > 0 ? result.CommandId : id);
            writer.WriteString("type", result.Type);
            writer.WriteString("status", CommandState.Name(result.Status));
            writer.WriteString("detail", result.Detail);
            writer.WriteNumber("completed_unix_ms", result.CompletedUnixMs);
            if (result.SnapshotJson.Length > 0)
            {
                writer.WritePropertyName("snapshot");
                writer.WriteRawValue(result.SnapshotJson);
            }

            writer.WriteEndObject();
            writer.Flush();
            Console.WriteLine();
            return;
        }

        Console.WriteLine($"{result.RobotId} {(result.Type.Length > 0 ? result.Type : "?")} {(result.CommandId.Length > 0 ? result.CommandId : id)} {CommandState.Name(result.Status)}: {result.Detail}");
        if (result.SnapshotJson.Length > 0)
        {
            Console.WriteLine(result.SnapshotJson);
        }
    }
}
