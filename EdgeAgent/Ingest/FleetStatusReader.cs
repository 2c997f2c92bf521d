using EdgeAgent.Control.Safety;
using Npgsql;

namespace EdgeAgent.Ingest;

/// <summary>One robot in the fleet store, as <c>edge-agent fleet status</c> shows it.</summary>
/// <param name="RobotId">The robot.</param>
/// <param name="BootId">Its newest run.</param>
/// <param name="Seq">The seq of its newest stored batch.</param>
/// <param name="LastSeenS">Seconds since a receiver last stored a batch of it.</param>
/// <param name="LagS">How old its newest sample was when stored (the uplink's lag), seconds.</param>
/// <param name="Receiver">The receiver that stored it last.</param>
/// <param name="BatteryPercent">The battery in its newest sample.</param>
/// <param name="Safety">The safety state in its newest sample (OK, LOW_BATTERY, SAFE_STOP).</param>
/// <param name="Cause">The safety cause when stopped (snake_case), or empty.</param>
/// <param name="X">Its odometry x, m.</param>
/// <param name="Y">Its odometry y, m.</param>
/// <param name="Batches">Batches stored of it.</param>
/// <param name="Samples">Samples stored of it.</param>
/// <param name="Gaps">Batches missing in its newest run (below its newest seq).</param>
/// <param name="Stale">Whether no batch came for longer than the stale limit.</param>
/// <param name="Alerts">The open fleet alerts ("kind: detail; …"), or empty.</param>
/// <param name="LastCommand">Its last command and result, or empty.</param>
internal sealed record FleetRobotStatus(
    string RobotId, string BootId, long Seq, double LastSeenS, double LagS, string Receiver, double BatteryPercent, string Safety, string Cause,
    double X, double Y, long Batches, long Samples, long Gaps, bool Stale, string Alerts, string LastCommand);

/// <summary>Reads the fleet at a glance from the store: one query over the per-robot latest state, open alerts and command events.</summary>
internal static class FleetStatusReader
{
    /// <summary>Reads every robot the store knows.</summary>
    /// <param name="url">The store (<c>postgresql://…</c>).</param>
    /// <param name="staleAfter">A robot not stored for longer is stale.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The robots, by id.</returns>
    /// <exception cref="BatchStoreUnavailableException">The store cannot be reached or is not a fleet store.</exception>
    public static async Task<IReadOnlyList<FleetRobotStatus>> ReadAsync(string url, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        string description = PostgresUrl.Describe(url);
        await using NpgsqlDataSource dataSource = PostgresUrl.CreateDataSource(url);
        var robots = new List<FleetRobotStatus>();
        try
        {
            await using NpgsqlCommand command = dataSource.CreateCommand(FleetSchema.FleetStatus);
            await using NpgsqlDataReader r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                DateTime storedAt = r.GetDateTime(3);
                DateTime sampleWall = r.GetDateTime(4);
                DateTime now = r.GetDateTime(13);
                var state = (SafetyState)r.GetInt16(7);
                double lastSeen = Math.Max(0, (now - storedAt).TotalSeconds);
                robots.Add(new FleetRobotStatus(
                    r.GetString(0), r.GetString(1), r.GetInt64(2), Math.Round(lastSeen, 1), Math.Round((storedAt - sampleWall).TotalSeconds, 3), r.GetString(5),
                    Math.Round(r.GetFloat(6) * 100.0, 1), SafetyText.State(state), state == SafetyState.SafeStop ? SafetyText.Cause((SafetyCause)r.GetInt16(8)) : string.Empty,
                    r.GetDouble(9), r.GetDouble(10), r.GetInt64(11), r.GetInt64(12), r.IsDBNull(14) ? 0 : r.GetInt64(14), lastSeen > staleAfter.TotalSeconds,
                    r.GetString(15), r.IsDBNull(16) ? string.Empty : r.GetString(16)));
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            string hint = ex is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable } ? " (no fleet tables: has a receiver with --store run on this database?)" : string.Empty;
            throw new BatchStoreUnavailableException($"Cannot read the fleet store {description}: {ex.Message}{hint}", ex);
        }

        return robots;
    }
}
