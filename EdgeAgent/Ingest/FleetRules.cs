using System.Globalization;
using EdgeAgent.Commands;
using EdgeAgent.Control.Safety;
using EdgeAgent.Protocol.Protos;
using Microsoft.Extensions.Logging;
using Status = EdgeAgent.Protocol.Protos.CommandResult.Types.Status;

namespace EdgeAgent.Ingest;

/// <summary>The receiver's fleet rules (<c>edge-agent receive --fleet-key … --charge-below … --stale-after …</c>).</summary>
internal sealed class FleetRulesOptions
{
    /// <summary>Gets or sets the battery level (percent) under which a robot is sent to the charger. The default value is 10.</summary>
    public double ChargeBelowPercent { get; set; } = 10;

    /// <summary>Gets or sets how far above <see cref="ChargeBelowPercent"/> the battery must come back before the rule fires again. The default value is 5.</summary>
    public double ChargeHysteresisPercent { get; set; } = 5;

    /// <summary>Gets or sets how long without a batch before a robot is reported stale. The default value is 30 s.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how often the rules run. The default value is 1 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long after a command the rule could not deliver (robot not connected, refused) it is tried again. The default value is 10 s.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long a rule's command is valid. The default value is 1 min.</summary>
    public TimeSpan CommandLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long a rule waits for the robot's result. The default value is 10 s.</summary>
    public TimeSpan CommandWait { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>A robot as the rules see it, and the rules' open alerts for it.</summary>
/// <param name="RobotId">The robot.</param>
/// <param name="BootId">Its current run.</param>
/// <param name="LastSeen">When its last batch arrived here.</param>
/// <param name="SampleWall">The wall time of its newest sample.</param>
/// <param name="BatteryPercent">The battery in its newest sample.</param>
/// <param name="Safety">The safety state in its newest sample.</param>
/// <param name="Cause">The safety cause in its newest sample.</param>
/// <param name="Alerts">The open alerts (<c>low_battery</c>, <c>geofence</c>, <c>stale</c>).</param>
internal sealed record FleetRobot(string RobotId, string BootId, DateTimeOffset LastSeen, DateTimeOffset SampleWall, double BatteryPercent, SafetyState Safety, SafetyCause Cause, IReadOnlyList<string> Alerts);

/// <summary>
/// The fleet monitor in the receiver, per robot, from the batches this receiver stores: a battery under
/// <see cref="FleetRulesOptions.ChargeBelowPercent"/> sends the robot <c>send_to_charger</c>; a robot stopped by its
/// geofence (it has already stopped itself) is recorded and sent <c>safe_stop</c>, so the fleet's record and the
/// robot agree; a robot with no batch for <see cref="FleetRulesOptions.StaleAfter"/> is reported stale. Each rule
/// raises one alert per episode (logged, and stored in <c>edgeagent_fleet_alerts</c>) and closes it when the
/// condition has gone. Commands are signed with the fleet key and checked by the robot like any other; without a
/// key the rules still raise their alerts. With several receivers on one store, a receiver whose robot went quiet
/// first asks the store whether another receiver has it now, and then forgets it instead of reporting it stale.
/// </summary>
internal sealed class FleetRules : IDisposable
{
    /// <summary>The low-battery rule's alert.</summary>
    public const string LowBattery = "low_battery";

    /// <summary>The geofence rule's alert.</summary>
    public const string Geofence = "geofence";

    /// <summary>The stale rule's alert.</summary>
    public const string Stale = "stale";

    private readonly FleetRulesOptions _options;
    private readonly CommandHub _hub;
    private readonly IBatchStore _store;
    private readonly CommandSigner? _signer;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, RobotView> _robots = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _commandsSent;
    private long _alertsRaised;

    /// <summary>Initializes a new instance of the <see cref="FleetRules"/> class.</summary>
    /// <param name="options">Thresholds and timing.</param>
    /// <param name="hub">The robots' command links.</param>
    /// <param name="store">Where alerts are recorded.</param>
    /// <param name="signer">Signs the rules' commands (null: alerts only); owned by the rules from now on.</param>
    /// <param name="logger">Logs each alert and command.</param>
    /// <param name="time">The rules' clock.</param>
    public FleetRules(FleetRulesOptions options, CommandHub hub, IBatchStore store, CommandSigner? signer, ILogger logger, TimeProvider time)
    {
        _options = options;
        _hub = hub;
        _store = store;
        _signer = signer;
        _logger = logger;
        _time = time;
    }

    /// <summary>Gets how many commands the rules have sent.</summary>
    public long CommandsSent => Interlocked.Read(ref _commandsSent);

    /// <summary>Gets how many alerts the rules have raised.</summary>
    public long AlertsRaised => Interlocked.Read(ref _alertsRaised);

    /// <summary>Takes in a batch this receiver stored (called on the ingest path: no I/O here).</summary>
    /// <param name="batch">The batch.</param>
    public void Observe(TelemetryBatch batch)
    {
        int n = (int)batch.SampleCount;
        if (n == 0 || batch.BatteryLevel.Count < n || batch.SafetyState.Length < n || batch.SafetyCause.Length < n)
        {
            return;
        }

        long wallNs = 0;
        foreach (long delta in batch.WallUnixNsDelta)
        {
            wallNs += delta;
        }

        var sampleWall = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, wallNs / 1_000_000));
        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_robots.TryGetValue(batch.RobotId, out RobotView? robot))
            {
                robot = new RobotView(batch.RobotId);
                _robots.Add(batch.RobotId, robot);
            }

            robot.LastSeen = now;
            if (sampleWall < robot.SampleWall && robot.BootId == batch.BootId)
            {
                return;   // a replayed, older batch: the robot's state now is the newer one
            }

            if (robot.BootId != batch.BootId)
            {
                robot.BootId = batch.BootId;
                robot.ChargeDone = false;   // a new run: the rules look at it afresh
            }

            robot.SampleWall = sampleWall;
            robot.BatteryPercent = batch.BatteryLevel[n - 1] * 100.0;
            robot.Safety = (SafetyState)batch.SafetyState[n - 1];
            robot.Cause = (SafetyCause)batch.SafetyCause[n - 1];
        }
    }

    /// <summary>The robots as the rules see them now.</summary>
    /// <returns>One record per robot, by id.</returns>
    public IReadOnlyList<FleetRobot> Snapshot()
    {
        lock (_gate)
        {
            return [.. _robots.Values.OrderBy(r => r.RobotId, StringComparer.Ordinal)
                .Select(r => new FleetRobot(r.RobotId, r.BootId, r.LastSeen, r.SampleWall, r.BatteryPercent, r.Safety, r.Cause, [.. r.Open.Order(StringComparer.Ordinal)]))];
        }
    }

    /// <summary>Runs the rules until cancelled, once per <see cref="FleetRulesOptions.Interval"/>.</summary>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>A task that completes when stopped.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await EvaluateAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bug in one pass must not end the monitor for the receiver's lifetime: say so, run the next.
                    IngestLog.FleetRulesFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs every rule once for every robot; a rule's command runs in the background (one per robot at a time).</summary>
    /// <param name="cancellationToken">Cancels the store writes.</param>
    /// <returns>A task that completes when the alerts are recorded (the commands may still be in flight: <see cref="IdleAsync"/>).</returns>
    public async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var actions = new List<Func<Task>>();
        lock (_gate)
        {
            foreach (RobotView robot in _robots.Values)
            {
                Plan(robot, now, actions, cancellationToken);
            }
        }

        foreach (Func<Task> action in actions)
        {
            try
            {
                await action().ConfigureAwait(false);
            }
            catch (BatchStoreUnavailableException ex)
            {
                // The alert is in the log; only its stored row is missing.
                IngestLog.FleetAlertNotStored(_logger, ex.Message);
            }
        }
    }

    /// <summary>Waits until no rule command is in flight (tests; shutdown).</summary>
    /// <returns>A task that completes when idle.</returns>
    public Task IdleAsync()
    {
        lock (_gate)
        {
            return Task.WhenAll(_robots.Values.Select(r => r.InFlight ?? Task.CompletedTask));
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _signer?.Dispose();

    private void Plan(RobotView robot, DateTimeOffset now, List<Func<Task>> actions, CancellationToken cancellationToken)
    {
        string id = robot.RobotId;
        bool quiet = now - robot.LastSeen > _options.StaleAfter;
        if (quiet && !robot.Open.Contains(Stale))
        {
            DateTimeOffset lastSeen = robot.LastSeen;
            actions.Add(async () =>
            {
                // Another receiver on the store may have it now (failover): then it is not stale, only not ours.
                if (await _store.LastStoredAsync(id, cancellationToken).ConfigureAwait(false) is { } stored && now - stored.At <= _options.StaleAfter)
                {
                    lock (_gate)
                    {
                        if (_robots.TryGetValue(id, out RobotView? gone) && gone.LastSeen == lastSeen)
                        {
                            _robots.Remove(id);
                        }
                    }

                    IngestLog.FleetRobotMoved(_logger, id, stored.Receiver);
                    return;
                }

                string detail = string.Create(CultureInfo.InvariantCulture, $"no batch for {(now - lastSeen).TotalSeconds:0} s (fleet stale_after {_options.StaleAfter.TotalSeconds:0} s); last seen {lastSeen:O}");
                await RaiseAsync(id, Stale, detail, now, cancellationToken).ConfigureAwait(false);
            });
        }
        else if (!quiet && robot.Open.Contains(Stale))
        {
            actions.Add(() => ClearAsync(id, Stale, now, "batches again", cancellationToken));
        }

        if (quiet)
        {
            return;   // the other rules judge fresh data only
        }

        double charge = _options.ChargeBelowPercent;
        if (robot.BatteryPercent < charge)
        {
            if (!robot.Open.Contains(LowBattery))
            {
                string detail = string.Create(CultureInfo.InvariantCulture, $"battery {robot.BatteryPercent:0.0} % < fleet charge_below {charge:0.#} %");
                actions.Add(() => RaiseAsync(id, LowBattery, detail, now, cancellationToken));
            }

            if (!robot.ChargeDone && robot.InFlight is null && now >= robot.RetryAt)
            {
                string reason = string.Create(CultureInfo.InvariantCulture, $"battery {robot.BatteryPercent:0.0} % < fleet charge_below {charge:0.#} %");
                Send(robot, CommandType.SendToCharger, reason, now, done => robot.ChargeDone = done);
            }
        }
        else if (robot.BatteryPercent >= charge + _options.ChargeHysteresisPercent)
        {
            robot.ChargeDone = false;
            if (robot.Open.Contains(LowBattery))
            {
                actions.Add(() => ClearAsync(id, LowBattery, now, string.Create(CultureInfo.InvariantCulture, $"battery {robot.BatteryPercent:0.0} %"), cancellationToken));
            }
        }

        bool outside = robot.Safety == SafetyState.SafeStop && robot.Cause == SafetyCause.Geofence;
        if (outside && !robot.Open.Contains(Geofence))
        {
            string detail = "SAFE_STOP (geofence): the robot left its geofence and stopped itself";
            actions.Add(() => RaiseAsync(id, Geofence, detail, now, cancellationToken));
            robot.StopDone = false;
        }
        else if (!outside && robot.Open.Contains(Geofence))
        {
            actions.Add(() => ClearAsync(id, Geofence, now, "safety " + SafetyText.State(robot.Safety), cancellationToken));
        }

        if (outside && !robot.StopDone && robot.InFlight is null && now >= robot.RetryAt)
        {
            Send(robot, CommandType.SafeStop, "fleet rule: geofence breach", now, done => robot.StopDone = done);
        }
    }

    private void Send(RobotView robot, string type, string reason, DateTimeOffset now, Action<bool> done)
    {
        if (_signer is null)
        {
            done(true);   // alerts only: nothing to send, nothing to retry
            return;
        }

        string id = robot.RobotId;
        (string token, string commandId) = _signer.Sign(id, type, _options.CommandLifetime, now, w => w.WriteString("reason", reason));
        Interlocked.Increment(ref _commandsSent);
        IngestLog.FleetRuleCommand(_logger, id, type, commandId, reason);
        robot.InFlight = Task.Run(async () =>
        {
            CommandResult result;
            try
            {
                result = await _hub.IssueAsync(id, token, _options.CommandWait, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                result = new CommandResult { RobotId = id, Type = type, CommandId = commandId, Status = Status.Undelivered, Detail = ex.Message };
            }

            IngestLog.FleetRuleResult(_logger, id, type, commandId, CommandState.Name(result.Status), result.Detail);
            lock (_gate)
            {
                // The robot's answer settles the episode, a refusal too (its own policy said no: asking again
                // every few seconds would only fill the logs). No answer (not connected, no result, expired on
                // the way) is tried again after retry_after.
                bool answered = result.Status is Status.Done or Status.Rejected or Status.NotPermitted;
                done(answered);
                robot.RetryAt = answered ? DateTimeOffset.MinValue : _time.GetUtcNow() + _options.RetryAfter;
                robot.InFlight = null;
            }
        });
    }

    private async Task RaiseAsync(string robotId, string kind, string detail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_robots.TryGetValue(robotId, out RobotView? robot) || !robot.Open.Add(kind))
            {
                return;
            }
        }

        Interlocked.Increment(ref _alertsRaised);
        IngestLog.FleetAlert(_logger, robotId, kind, detail);
        await _store.RaiseAlertAsync(robotId, kind, detail, now, cancellationToken).ConfigureAwait(false);
    }

    private async Task ClearAsync(string robotId, string kind, DateTimeOffset now, string why, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_robots.TryGetValue(robotId, out RobotView? robot) || !robot.Open.Remove(kind))
            {
                return;
            }
        }

        IngestLog.FleetAlertCleared(_logger, robotId, kind, why);
        await _store.ClearAlertAsync(robotId, kind, now, cancellationToken).ConfigureAwait(false);
    }

    private sealed class RobotView(string robotId)
    {
        public string RobotId { get; } = robotId;

        public string BootId { get; set; } = string.Empty;

        public DateTimeOffset LastSeen { get; set; }

        public DateTimeOffset SampleWall { get; set; }

        public double BatteryPercent { get; set; } = 100;

        public SafetyState Safety { get; set; }

        public SafetyCause Cause { get; set; }

        public HashSet<string> Open { get; } = new(StringComparer.Ordinal);

        public bool ChargeDone { get; set; }

        public bool StopDone { get; set; } = true;

        public DateTimeOffset RetryAt { get; set; } = DateTimeOffset.MinValue;

        public Task? InFlight { get; set; }
    }
}
