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
/// <c>edge-agent fleet keygen|command</c>: the fleet side of the command link. <c>keygen</c> writes the key
/// pair that signs commands; <c>command</c> signs one command for one robot and hands it to a receiver
/// (<c>FleetControl.Issue</c>), which sends it down the robot's command link and returns the robot's result.
/// </summary>
internal static class FleetVerb
{
    /// <summary>Exit code of a command the robot did not carry out (rejected, expired, not permitted, undelivered).</summary>
    public const int NotDone = 3;

    /// <summary>Creates the verb.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("fleet", "The fleet side: sign and send commands to robots.");
        command.Subcommands.Add(CreateKeygen());
        command.Subcommands.Add(CreateCommand());
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
        var reason = new Option<string?>("--reason") { Description = "Why (send_to_charger, safe_stop): recorded by the robot." };
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
