using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Observability;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent status [--watch] [--json]</c>: reads a running agent's <c>/status</c> and shows it on one screen.
/// Exit 0 when the agent is ready, 1 when it answers but is not ready, 69 when it cannot be reached, so a
/// script or a container health check can use it.
/// </summary>
internal static class StatusCommand
{
    /// <summary>The agent answers but is not ready (loops off rate, HAL stale, safety not OK, or starting).</summary>
    public const int ExitNotReady = 1;

    /// <summary>The agent cannot be reached (not running, endpoint off, wrong address): <c>EX_UNAVAILABLE</c>.</summary>
    public const int ExitUnavailable = 69;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Creates the verb.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var endpoint = new Option<string?>("--endpoint") { Description = "The agent's observability address, IP:PORT (default: observability.listen of --config, else 127.0.0.1:9464)." };
        var config = new Option<string?>("--config", "-c") { Description = "Take the address from this configuration file (default: /etc/edge-agent/agent.yaml when it exists)." };
        var watch = new Option<bool>("--watch", "-w") { Description = "Refresh every second until Ctrl-C." };
        var json = new Option<bool>("--json") { Description = "Print the agent's /status JSON as it is." };
        var command = new Command("status", "Show a running agent's state: loops, safety, HAL, uplink and backlog, last reload. Exit 0 ready, 1 not ready, 69 unreachable.") { endpoint, config, watch, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryResolve(parse.GetValue(endpoint), parse.GetValue(config), out Uri? url, out string? error))
            {
                await Console.Error.WriteLineAsync("edge-agent status: " + error).ConfigureAwait(false);
                return error!.Contains("is off", StringComparison.Ordinal) ? ExitUnavailable : CliExit.Usage;
            }

            using var signals = new TerminationSignals(cancellationToken);
            using var http = new HttpClient { Timeout = RequestTimeout };
            bool asJson = parse.GetValue(json);
            if (!parse.GetValue(watch))
            {
                (int exit, string text) = await ShowOnceAsync(http, url!, asJson, signals.Token).ConfigureAwait(false);
                await (exit == ExitUnavailable ? Console.Error : Console.Out).WriteLineAsync(text).ConfigureAwait(false);
                return exit;
            }

            int last = ExitUnavailable;
            bool clear = !Console.IsOutputRedirected;
            try
            {
                while (!signals.Token.IsCancellationRequested)
                {
                    (last, string text) = await ShowOnceAsync(http, url!, asJson, signals.Token).ConfigureAwait(false);
                    await Console.Out.WriteAsync((clear ? "\u001b[H\u001b[2J" : string.Empty) + text + Environment.NewLine).ConfigureAwait(false);
                    await Task.Delay(TimeSpan.FromSeconds(1), signals.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
            {
            }

            return last;
        });
        return command;
    }

    /// <summary>Finds the address to read: <c>--endpoint</c>, else the configuration's <c>observability.listen</c>.</summary>
    internal static bool TryResolve(string? endpoint, string? configPath, out Uri? url, out string? error)
    {
        url = null;
        error = null;
        string listen;
        if (endpoint is not null)
        {
            listen = endpoint;
        }
        else
        {
            string path = configPath ?? AgentCli.DefaultConfigPath();
            try
            {
                listen = AgentConfigLoader.Load(path).Observability.Listen;
            }
            catch (Exception ex) when (configPath is null)
            {
                // No readable default file: the default address. A file named with --config must load.
                _ = ex;
                listen = ObservabilityOptions.DefaultListen;
            }
            catch (Exception ex)
            {
                error = $"cannot read {path}: {ex.Message.Split('\n')[0]}. Fix: give --endpoint IP:PORT, or a valid --config";
                return false;
            }

            if (listen.Length == 0)
            {
                error = $"the observability endpoint is off in {path} (observability.listen is empty); set it to 127.0.0.1:9464 and restart the agent";
                return false;
            }
        }

        // The rule of observability.listen, but any address: a technician may read another machine's agent.
        string? problem = new ObservabilityOptions { Listen = listen, AllowRemote = true }.TryParseListen(out IPEndPoint? ip);
        if (problem is not null || ip is null)
        {
            error = (problem ?? "--endpoint is empty") + " (for example 127.0.0.1:9464 or [::1]:9464)";
            return false;
        }

        if (ip.Address.Equals(IPAddress.Any))
        {
            ip.Address = IPAddress.Loopback;
        }
        else if (ip.Address.Equals(IPAddress.IPv6Any))
        {
            ip.Address = IPAddress.IPv6Loopback;
        }

        url = new UriBuilder(Uri.UriSchemeHttp, ip.Address.ToString(), ip.Port, "/status").Uri;
        return true;
    }

    /// <summary>Renders a status for a person: one screen, the verdict first.</summary>
    internal static string Render(AgentStatus s)
    {
        var b = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        b.Append(c, $"{s.RobotId}  {(s.Ready ? "READY" : "NOT READY: " + s.Reason)}").AppendLine();
        b.Append(c, $"  agent    edge-agent {s.Version}, pid {s.Pid}, up {Duration(s.UptimeS)}").AppendLine();
        b.Append(c, $"  loops    motor {s.Motor.RateHz:F1} of {s.Motor.TargetHz:F0} Hz ({s.Motor.Overruns} overruns)");
        b.Append(s.Balance is { } bal ? string.Create(c, $", balance {bal.RateHz:F1} of {bal.TargetHz:F0} Hz ({bal.Overruns} overruns)") : ", balance off").AppendLine();
        b.Append(c, $"  safety   {s.Safety.Summary}; trips {s.Safety.Trips}; longest control gap {s.Safety.LongestControlGapMs:F1} ms (limit {s.Safety.MaxControlGapMs:F0} ms)").AppendLine();
        b.Append(c, $"  hal      {s.Hal.Driver}, {(s.Hal.Fresh ? "fresh" : "STALE")}; tilt {s.Hal.TiltDeg:+0.00;-0.00}°, battery {s.Hal.BatteryPercent:F1} %").AppendLine();
        UplinkStatus u = s.Uplink;
        b.Append(c, $"  uplink   {(u.Mode == "flight_recorder" ? "flight recorder (no endpoint)" : u.Endpoint)}; breaker {u.Breaker}; {u.Acked} acked, {u.PendingMemory + u.PendingSpill} pending ({u.PendingSpill} in the spill)");
        b.Append(c, $", {u.DeadLettered} dead-lettered, {u.DroppedQuota + u.DroppedDiskFull} dropped").Append(u.LedgerBalanced ? string.Empty : " (LEDGER OUT OF BALANCE)").AppendLine();
        b.Append(c, $"  spill    {u.SpillBytes / 1048576.0:F1} of {u.SpillQuotaBytes / 1048576.0:F0} MB{(u.SpillDiskFull ? ", DISK FULL" : string.Empty)}").AppendLine();
        ReloadStatus r = s.Reload;
        b.Append(c, $"  reload   {(r.LastAt is { } at ? string.Create(c, $"last {r.LastResult} at {at.ToLocalTime():yyyy-MM-dd HH:mm:ss}") : "none yet")} ({r.Applied} applied, {r.Rejected} rejected)");
        if (r.LastResult == "rejected" && r.LastMessage.Length > 0)
        {
            b.AppendLine().Append("           ").Append(r.LastMessage.Split('\n')[0]);
        }

        if (r.FleetOverlays > 0)
        {
            b.Append(c, $"; {r.FleetOverlays} fleet overlay(s) on top, tuning version {r.TuningVersion}");
        }

        CommandsStatus k = s.Commands;
        b.AppendLine().Append(c, $"  commands link {k.Link}");
        if (k.Link != "off" || k.Received > 0)
        {
            b.Append(c, $" ({k.Connects} connects); {k.Received} received, {k.Done} done, {k.Refused} refused");
        }

        if (k.Charge is { } charge)
        {
            b.AppendLine().Append(c, $"           CHARGE REQUESTED by command {charge.CommandId} at {charge.At.ToLocalTime():HH:mm:ss} (battery {charge.BatteryPercent:F1} %){(charge.Reason.Length > 0 ? ": " + charge.Reason : string.Empty)}");
        }

        if (k.Last.Length > 0)
        {
            b.AppendLine().Append("           last: ").Append(k.Last.Length > 160 ? k.Last[..160] + "…" : k.Last);
        }

        return b.ToString();
    }

    private static async Task<(int Exit, string Text)> ShowOnceAsync(HttpClient http, Uri url, bool asJson, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            using HttpResponseMessage response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (ExitUnavailable, $"edge-agent status: no agent answers at {url.GetLeftPart(UriPartial.Authority)} ({(ex is TaskCanceledException ? "timed out" : ex.Message)}). Is it running (systemctl status edge-agent)? Is observability.listen this address?");
        }

        AgentStatus? status;
        try
        {
            status = JsonSerializer.Deserialize(body, AgentStatusJson.Default.AgentStatus);
        }
        catch (JsonException ex)
        {
            return (ExitUnavailable, $"edge-agent status: {url} did not answer with an agent status ({ex.Message}); is another service on that port?");
        }

        if (status is null)
        {
            return (ExitUnavailable, $"edge-agent status: {url} answered with an empty status");
        }

        return (status.Ready ? CliExit.Clean : ExitNotReady, asJson ? body : Render(status));
    }

    private static string Duration(double seconds) =>
        seconds < 120 ? seconds.ToString("F0", CultureInfo.InvariantCulture) + " s"
        : seconds < 7200 ? (seconds / 60).ToString("F0", CultureInfo.InvariantCulture) + " min"
        : (seconds / 3600).ToString("F1", CultureInfo.InvariantCulture) + " h";
}
