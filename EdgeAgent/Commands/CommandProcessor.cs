using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Control.Safety;
using EdgeAgent.Hosting;
using EdgeAgent.Protocol.Protos;
using Microsoft.Extensions.Logging;
using Status = EdgeAgent.Protocol.Protos.CommandResult.Types.Status;

namespace EdgeAgent.Commands;

/// <summary>What a command acts on; the host gives the running agent's parts, tests their own.</summary>
/// <param name="Safety">The safety supervisor: safe_stop and reset go through it, as an operator's stop and SIGUSR1 do.</param>
/// <param name="Reloader">The configuration reloader: set_tuning and set_geofence are overlays through its validation and atomic swap.</param>
/// <param name="FlushTelemetry">Sends the partial batch now; returns what it did.</param>
/// <param name="Snapshot">The agent's status as JSON (as <c>/status</c> serves it).</param>
/// <param name="BatteryPercent">The battery now (for the charge request's record).</param>
internal sealed record CommandTargets(SafetySupervisor Safety, ConfigReloader Reloader, Func<Task<string>> FlushTelemetry, Func<string> Snapshot, Func<double> BatteryPercent);

/// <summary>
/// Verifies and carries out fleet commands, one at a time, through the same paths as a local operator:
/// safe_stop is an operator stop (latched by the motor loop on its next tick), reset asks the supervisor to
/// clear its latch (it re-trips at once if the cause persists, as SIGUSR1 does), set_tuning and set_geofence are
/// overlays validated like the file and swapped in atomically like a reload. Every command and its result is
/// logged (the token never) and recorded in <see cref="CommandState"/>; the result goes upstream.
/// </summary>
internal sealed class CommandProcessor
{
    private const int MaxGeofencePoints = 1000;

    private readonly CommandVerifier _verifier;
    private readonly CommandTargets _targets;
    private readonly CommandState _state;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _settle;

    /// <summary>Initializes a new instance of the <see cref="CommandProcessor"/> class.</summary>
    /// <param name="verifier">Checks each token.</param>
    /// <param name="targets">What commands act on.</param>
    /// <param name="state">Where results are recorded.</param>
    /// <param name="logger">Logs each command and its result.</param>
    /// <param name="time">The clock of results.</param>
    /// <param name="settle">How long safe_stop and reset wait to see the supervisor's answer (the next motor tick; 1 s by default).</param>
    public CommandProcessor(CommandVerifier verifier, CommandTargets targets, CommandState state, ILogger logger, TimeProvider time, TimeSpan? settle = null)
    {
        _verifier = verifier;
        _targets = targets;
        _state = state;
        _logger = logger;
        _time = time;
        _settle = settle ?? TimeSpan.FromSeconds(1);
    }

    /// <summary>Verifies a token and, when it passes, carries out its command.</summary>
    /// <param name="token">The token the fleet sent.</param>
    /// <param name="cancellationToken">Cancels a wait (shutdown).</param>
    /// <returns>The result (its robot and boot ids are the link's to fill in).</returns>
    public async Task<CommandResult> HandleAsync(string token, CancellationToken cancellationToken)
    {
        CommandVerdict verdict = await _verifier.VerifyAsync(token).ConfigureAwait(false);
        CommandResult result;
        if (verdict.Command is not { } command)
        {
            result = verdict.Refusal!;
        }
        else
        {
            CommandsLog.Received(_logger, command.Type, command.Id, command.ExpiresAt);
            try
            {
                result = await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A command must never take the agent down: the failure is its result.
                result = Result(Status.Rejected, $"failed: {ex.GetType().Name}: {ex.Message}");
            }

            result.CommandId = command.Id;
            result.Type = command.Type;
        }

        result.CompletedUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _state.Record(result);
        if (result.Status == Status.Done)
        {
            CommandsLog.Done(_logger, result.Type, result.CommandId, result.Detail);
        }
        else
        {
            CommandsLog.Refused(_logger, result.Type.Length == 0 ? "?" : result.Type, result.CommandId.Length == 0 ? "?" : result.CommandId, CommandState.Name(result.Status), result.Detail);
        }

        return result;
    }

    private static CommandResult Result(Status status, string detail) => new() { Status = status, Detail = detail };

    private async Task<CommandResult> ExecuteAsync(FleetCommand command, CancellationToken cancellationToken)
    {
        switch (command.Type)
        {
            case CommandType.SafeStop:
                CommandResult stop = await SafeStopAsync(cancellationToken).ConfigureAwait(false);
                if (command.Text("reason") is { Length: > 0 } why)
                {
                    stop.Detail += "; reason: " + (why.Length > 256 ? why[..256] : why);   // in the robot's log and the result
                }

                return stop;
            case CommandType.Reset:
                return await ResetAsync(cancellationToken).ConfigureAwait(false);
            case CommandType.SendToCharger:
                string reason = command.Text("reason") ?? string.Empty;
                _state.RequestCharge(new ChargeRequest(command.Id, _time.GetUtcNow(), reason, _targets.BatteryPercent()));
                return Result(Status.Done, string.Create(CultureInfo.InvariantCulture, $"charge requested (battery {_targets.BatteryPercent():0.#} %){(reason.Length > 0 ? ": " + reason : string.Empty)}; the robot's controller takes it from /status (commands.charge)"));
            case CommandType.SetTuning:
                string? overlay = command.Text("overlay");
                return string.IsNullOrWhiteSpace(overlay)
                    ? Result(Status.Rejected, "set_tuning carries no overlay: the 'overlay' claim must hold the sections and keys to change, as YAML or JSON")
                    : Apply(new ConfigOverlay($"command {command.Id} (set_tuning)", overlay));
            case CommandType.SetGeofence:
                return Geofence(command);
            case CommandType.FlushTelemetry:
                return Result(Status.Done, await _targets.FlushTelemetry().ConfigureAwait(false));
            case CommandType.Snapshot:
                return new CommandResult { Status = Status.Done, Detail = "status attached", SnapshotJson = _targets.Snapshot() };
            default:
                return Result(Status.Rejected, $"'{command.Type}' has no handler");
        }
    }

    private CommandResult Apply(ConfigOverlay overlay)
    {
        ReloadResult applied = _targets.Reloader.ApplyOverlay(overlay);
        return Result(applied.Applied ? Status.Done : Status.Rejected, applied.Message);
    }

    private CommandResult Geofence(FleetCommand command)
    {
        if (!command.Claims.TryGetProperty("geofence", out JsonElement points) || points.ValueKind != JsonValueKind.Array)
        {
            return Result(Status.Rejected, "set_geofence carries no 'geofence' claim: an array of [x, y] points in metres ([] removes the geofence)");
        }

        if (points.GetArrayLength() > MaxGeofencePoints)
        {
            return Result(Status.Rejected, $"the geofence has {points.GetArrayLength()} points, more than {MaxGeofencePoints}");
        }

        var yaml = new StringBuilder("{\"safety\": {\"geofence\": [");
        int i = 0;
        foreach (JsonElement point in points.EnumerateArray())
        {
            if (point.ValueKind != JsonValueKind.Array || point.GetArrayLength() != 2
                || !point[0].TryGetDouble(out double x) || !point[1].TryGetDouble(out double y) || !double.IsFinite(x) || !double.IsFinite(y))
            {
                return Result(Status.Rejected, $"geofence point {i} is not a pair of finite numbers [x, y]");
            }

            yaml.Append(i++ == 0 ? string.Empty : ", ").Append(CultureInfo.InvariantCulture, $"{{\"x\": {x:R}, \"y\": {y:R}}}");
        }

        return Apply(new ConfigOverlay($"command {command.Id} (set_geofence)", yaml.Append("]}}").ToString()));
    }

    private async Task<CommandResult> SafeStopAsync(CancellationToken cancellationToken)
    {
        SafetySupervisor safety = _targets.Safety;
        if (safety.State == SafetyState.SafeStop)
        {
            return Result(Status.Done, $"already stopped ({SafetyText.Cause(safety.Cause)}, {SafetyText.Phase(safety.Phase)})");
        }

        safety.RequestStop();
        bool latched = await WaitAsync(() => safety.State == SafetyState.SafeStop, cancellationToken).ConfigureAwait(false);
        return latched
            ? Result(Status.Done, $"stopped: SAFE_STOP latched ({SafetyText.Cause(safety.Cause)}, {SafetyText.Category(safety.Category)}, {SafetyText.Phase(safety.Phase)})")
            : Result(Status.Done, $"stop requested; not latched within {_settle.TotalMilliseconds:0} ms (are the loops running?); it latches on the motor loop's next tick");
    }

    private async Task<CommandResult> ResetAsync(CancellationToken cancellationToken)
    {
        SafetySupervisor safety = _targets.Safety;
        if (safety.State != SafetyState.SafeStop)
        {
            return Result(Status.Rejected, "nothing to reset: the robot is not stopped (" + SafetyText.State(safety.State) + ")");
        }

        long sequence = safety.StopSequence;
        if (!safety.RequestReset())
        {
            return Result(Status.Rejected, "refused: the agent is shutting down");
        }

        // The supervisor clears the latch on its next tick, and latches again at once if the cause is still there.
        bool cleared = await WaitAsync(() => safety.State != SafetyState.SafeStop || safety.StopSequence != sequence, cancellationToken).ConfigureAwait(false);
        if (cleared && safety.State != SafetyState.SafeStop)
        {
            _state.ClearCharge();
            return Result(Status.Done, "latch cleared: " + SafetyText.State(safety.State));
        }

        return cleared
            ? Result(Status.Rejected, $"the cause is still present: stopped again ({SafetyText.Cause(safety.Cause)})")
            : Result(Status.Rejected, $"the latch did not clear within {_settle.TotalMilliseconds:0} ms (are the loops running?)");
    }

    private async Task<bool> WaitAsync(Func<bool> done, CancellationToken cancellationToken)
    {
        long deadline = _time.GetTimestamp() + (long)(_settle.TotalSeconds * _time.TimestampFrequency);
        while (!done())
        {
            if (_time.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), _time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
