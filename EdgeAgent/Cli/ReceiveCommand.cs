using System.CommandLine;
using System.Globalization;
using System.Net;
using EdgeAgent.Ingest;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent receive</c>: runs the reference telemetry receiver until SIGTERM or Ctrl-C, printing the
/// per-robot counts once a second and a summary at the end.
/// </summary>
internal static class ReceiveCommand
{

    /// <summary>Creates the verb.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "IP:PORT to listen on (port 0 picks a free one).", DefaultValueFactory = _ => $"127.0.0.1:{ReceiverOptions.DefaultPort}" };
        var output = new Option<string?>("--out") { Description = "Append one JSON line per unique batch to this file (development; de-duplication in this process's memory)." };
        var store = new Option<string?>("--store") { Description = "Store batches in PostgreSQL, e.g. postgresql://edgeagent@127.0.0.1:5432/fleet (password from PGPASSWORD or ~/.pgpass): de-duplication survives restarts and is shared by every receiver on the database." };
        var name = new Option<string?>("--name") { Description = "This receiver's name in the store's rows (default: host name and listen address)." };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Allow a non-loopback --listen address (the receiver then listens on the network)." };
        var cert = new Option<string?>("--cert") { Description = "PEM certificate for TLS (with --key)." };
        var key = new Option<string?>("--key") { Description = "PEM private key for TLS (with --cert)." };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding the bearer token every call must carry." };
        var fleetKey = new Option<string?>("--fleet-key") { Description = "The fleet's private key (fleet.key): the fleet rules send their commands (send_to_charger, safe_stop) signed with it. Without it the rules only raise alerts." };
        var chargeBelow = new Option<double>("--charge-below") { Description = "Fleet rule: a robot whose battery is under this percentage is sent to the charger.", DefaultValueFactory = _ => new FleetRulesOptions().ChargeBelowPercent };
        var staleAfter = new Option<TimeSpan>("--stale-after")
        {
            Description = "Fleet rule: a robot with no batch for this long is reported stale.",
            DefaultValueFactory = _ => new FleetRulesOptions().StaleAfter,
            CustomParser = r => Configuration.Durations.OptionParser("--stale-after", "30s", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1))(r) ?? TimeSpan.Zero,
        };
        var noRules = new Option<bool>("--no-rules") { Description = "Run no fleet rules (no alerts, no rule commands)." };
        var advertise = new Option<string?>("--advertise") { Description = "With --store: the URL the other receivers on the store reach this one at (e.g. http://10.0.0.7:50051); a command issued at another receiver for a robot whose link is here is then forwarded here." };
        var command = new Command("receive", "Run the reference telemetry receiver (gRPC edgeagent.telemetry.v1) until SIGTERM or Ctrl-C.")
        {
            listen, output, store, name, allowRemote, cert, key, tokenFile, fleetKey, chargeBelow, staleAfter, noRules, advertise,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string listenValue = parse.GetValue(listen)!;
            if (!IPEndPoint.TryParse(listenValue, out IPEndPoint? endpoint))
            {
                await Console.Error.WriteLineAsync($"edge-agent receive: --listen {listenValue} is not IP:PORT (for example 127.0.0.1:{ReceiverOptions.DefaultPort} or [::1]:{ReceiverOptions.DefaultPort}).");
                return CliExit.Usage;
            }

            var options = new ReceiverOptions
            {
                Listen = endpoint,
                AllowRemote = parse.GetValue(allowRemote),
                OutputPath = parse.GetValue(output),
                StoreUrl = parse.GetValue(store),
                Name = parse.GetValue(name),
                CertificatePath = parse.GetValue(cert),
                KeyPath = parse.GetValue(key),
                FleetKeyPath = parse.GetValue(fleetKey),
                Rules = parse.GetValue(noRules) ? null : new FleetRulesOptions { ChargeBelowPercent = parse.GetValue(chargeBelow), StaleAfter = parse.GetValue(staleAfter) },
            };
            if (parse.GetValue(advertise) is { } advertised)
            {
                if (!Uri.TryCreate(advertised, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    await Console.Error.WriteLineAsync($"edge-agent receive: --advertise {advertised} is not an http:// or https:// URL (for example http://10.0.0.7:{ReceiverOptions.DefaultPort}).");
                    return CliExit.Usage;
                }

                options.Advertise = url;
            }

            if (parse.GetValue(chargeBelow) is < 0 or > 100 or double.NaN)
            {
                await Console.Error.WriteLineAsync($"edge-agent receive: --charge-below {parse.GetValue(chargeBelow)} is not a percentage (0..100).");
                return CliExit.Usage;
            }
            using var stop = new TerminationSignals(cancellationToken);
            try
            {
                if (parse.GetValue(tokenFile) is { } path)
                {
                    options.ExpectedToken = (await File.ReadAllTextAsync(path, stop.Token)).Trim();
                }

                await using ReferenceReceiver receiver = await ReferenceReceiver.StartAsync(options, stop.Token);
                Console.WriteLine($"edge-agent receive: listening on {receiver.Address}, store {receiver.Store}; Ctrl-C to stop");
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                try
                {
                    while (await timer.WaitForNextTickAsync(stop.Token))
                    {
                        Print(receiver.Statistics, receiver.Rules, DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
                    }
                }
                catch (OperationCanceledException)
                {
                }

                await receiver.StopAsync(CancellationToken.None);
                Print(receiver.Statistics, receiver.Rules, "summary");
                return CliExit.Clean;
            }
            catch (OperationCanceledException)
            {
                // Stopped before the receiver was listening (a signal during start-up): nothing to summarise.
                return CliExit.Clean;
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or BatchStoreUnavailableException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"edge-agent receive: {ex.Message}");
                return ex switch
                {
                    ArgumentException => CliExit.Usage,
                    InvalidOperationException => CliExit.NoInput,   // the fleet key cannot be used (missing, readable by others, not P-256)
                    _ => CliExit.Failure,
                };
            }
        });
        return command;
    }

    private static void Print(ReceiverStatistics statistics, FleetRules? rules, string label)
    {
        Dictionary<string, FleetRobot> seen = rules?.Snapshot().ToDictionary(r => r.RobotId, StringComparer.Ordinal) ?? [];
        IReadOnlyList<RobotStatistics> robots = statistics.Snapshot();
        if (robots.Count == 0)
        {
            Console.WriteLine($"{label} no batches yet");
            return;
        }

        foreach (RobotStatistics r in robots)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{label} robot {r.RobotId}: received {r.Received}, duplicates {r.Duplicates}, gaps {r.Gaps}, batches {r.Batches}, samples {r.Samples}, boots {r.Boots}{Fleet(seen.GetValueOrDefault(r.RobotId))}"));
        }
    }

    private static string Fleet(FleetRobot? robot) => robot is null
        ? string.Empty
        : string.Create(CultureInfo.InvariantCulture, $"; battery {robot.BatteryPercent:0.0} %, {Control.Safety.SafetyText.State(robot.Safety)}{(robot.Safety == Control.Safety.SafetyState.SafeStop ? " (" + Control.Safety.SafetyText.Cause(robot.Cause) + ")" : string.Empty)}{(robot.Alerts.Count > 0 ? ", ALERTS " + string.Join(" ", robot.Alerts) : string.Empty)}");
}
