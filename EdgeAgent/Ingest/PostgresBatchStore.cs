using System.Threading.Channels;
using EdgeAgent.Protocol;
using EdgeAgent.Protocol.Protos;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace EdgeAgent.Ingest;

/// <summary>
/// The fleet store in PostgreSQL (<see cref="FleetSchema"/>). Stateless: whether a batch is new is decided by
/// the table's primary key (robot_id, boot_id, seq) with <c>INSERT … ON CONFLICT DO NOTHING</c>, so the
/// de-duplication survives receiver restarts and holds across several receivers on one database. Writes are
/// group-committed: one writer takes every batch waiting (up to <see cref="MaxGroup"/>), sends them in one
/// round trip (an <see cref="NpgsqlBatch"/>, sorted by key so that concurrent receivers lock rows in one order),
/// updates each robot's latest state and commits; every batch of the group is acknowledged after the commit.
/// </summary>
internal sealed partial class PostgresBatchStore : IBatchStore
{
    /// <summary>The most batches in one transaction.</summary>
    public const int MaxGroup = 128;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _receiver;
    private readonly ReceiverStatistics _statistics;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(4 * MaxGroup) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;

    private PostgresBatchStore(NpgsqlDataSource dataSource, string description, string receiver, ReceiverStatistics statistics, ILogger logger)
    {
        _dataSource = dataSource;
        Description = description;
        _receiver = receiver;
        _statistics = statistics;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Connects, creates the tables if missing and starts the writer.</summary>
    /// <param name="url">A postgresql:// URL (<see cref="PostgresUrl"/>).</param>
    /// <param name="receiver">This receiver's name, stored with each batch (for example host:port).</param>
    /// <param name="statistics">This receiver's counts (its view of each robot; the store decides).</param>
    /// <param name="logger">The receiver's logger.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="ArgumentException">The URL is malformed.</exception>
    /// <exception cref="BatchStoreUnavailableException">The database cannot be reached or the tables cannot be created; the message names the server and the cause.</exception>
    public static async Task<PostgresBatchStore> OpenAsync(string url, string receiver, ReceiverStatistics statistics, ILogger logger, CancellationToken cancellationToken)
    {
        NpgsqlDataSource dataSource = PostgresUrl.CreateDataSource(url);
        string description = PostgresUrl.Describe(url);
        try
        {
            await using NpgsqlConnection db = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using NpgsqlTransaction tx = await db.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var create = new NpgsqlCommand(FleetSchema.Create, db, tx))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var version = new NpgsqlCommand("SELECT max(version) FROM edgeagent_schema", db, tx))
            {
                object? found = await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                if (found is int v && v != FleetSchema.Version)
                {
                    throw new BatchStoreUnavailableException($"The fleet store {description} has schema version {v}; this receiver writes version {FleetSchema.Version}. Upgrade the receivers together (docs/FLEET_STORE.md).");
                }
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw new BatchStoreUnavailableException($"Cannot open the fleet store {description}: {ex.Message}", ex);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new PostgresBatchStore(dataSource, description, receiver, statistics, logger);
    }

    /// <inheritdoc/>
    public async ValueTask<BatchAck.Types.Status> StoreAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Seq > long.MaxValue)
        {
            throw new BatchStoreRejectedException($"seq {batch.Seq} is past the store's range (0 to {long.MaxValue})");
        }

        var write = new PendingWrite(batch);
        await _queue.Writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        BatchAck.Types.Status status = await write.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        _statistics.Observe(batch.RobotId, batch.BootId, batch.Seq, batch.SampleCount, status);
        return status;
    }

    /// <inheritdoc/>
    public ValueTask RecordCommandAsync(CommandResult result, CancellationToken cancellationToken) =>
        ExecuteAsync(
            FleetSchema.InsertCommandEvent,
            "the command event",
            cancellationToken,
            result.RobotId,
            result.BootId,
            result.CommandId,
            result.Type,
            Commands.CommandState.Name(result.Status),
            result.Detail,
            DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, result.CompletedUnixMs)).UtcDateTime,
            _receiver);

    /// <inheritdoc/>
    public ValueTask RaiseAlertAsync(string robotId, string kind, string detail, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(FleetSchema.RaiseAlert, "the fleet alert", cancellationToken, robotId, kind, detail, at.UtcDateTime, _receiver);

    /// <inheritdoc/>
    public ValueTask ClearAlertAsync(string robotId, string kind, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(FleetSchema.ClearAlert, "the alert's end", cancellationToken, robotId, kind, at.UtcDateTime);

    /// <inheritdoc/>
    public async ValueTask<(DateTimeOffset At, string Receiver)?> LastStoredAsync(string robotId, CancellationToken cancellationToken)
    {
        try
        {
            await using NpgsqlCommand command = _dataSource.CreateCommand(FleetSchema.LastStored);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = robotId });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? (new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero), reader.GetString(1))
                : null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new BatchStoreUnavailableException($"Could not read robot {robotId}'s latest state from {Description}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    public string ReceiverName => _receiver;

    /// <inheritdoc/>
    public ValueTask SetLinkAsync(string robotId, string? address, CancellationToken cancellationToken) => address is null
        ? ExecuteAsync(FleetSchema.LinkDown, "the end of a command link", cancellationToken, robotId, _receiver)
        : ExecuteAsync(FleetSchema.LinkUp, "a command link", cancellationToken, robotId, _receiver, address);

    /// <inheritdoc/>
    public async ValueTask<(string Receiver, string Address)?> FindLinkAsync(string robotId, CancellationToken cancellationToken)
    {
        try
        {
            await using NpgsqlCommand command = _dataSource.CreateCommand(FleetSchema.FindLink);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = robotId });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new BatchStoreUnavailableException($"Could not look up robot {robotId}'s command link in {Description}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The database hangs: cancel the group in flight (its senders get UNAVAILABLE and retry elsewhere).
            await _stop.CancelAsync().ConfigureAwait(false);
            await _writer.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async ValueTask ExecuteAsync(string sql, string what, CancellationToken cancellationToken, params object[] values)
    {
        try
        {
            await using NpgsqlCommand command = _dataSource.CreateCommand(sql);
            foreach (object value in values)
            {
                command.Parameters.Add(value switch
                {
                    string text => new NpgsqlParameter<string> { TypedValue = text },
                    DateTime time => new NpgsqlParameter<DateTime> { TypedValue = time },
                    _ => throw new ArgumentException($"no parameter type for {value.GetType().Name}", nameof(values)),
                });
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new BatchStoreUnavailableException($"Could not record {what} in {Description}: {ex.Message}", ex);
        }
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<PendingWrite>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out PendingWrite? write))
            {
                group.Add(write);
            }

            try
            {
                await WriteGroupAsync(group, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                // The whole group fails: nothing of it was committed, and every sender retries its batch.
                StoreFailed(_logger, ex, Description, group.Count);
                var unavailable = new BatchStoreUnavailableException($"The fleet store {Description} is unavailable: {ex.Message}", ex);
                foreach (PendingWrite write in group)
                {
                    write.Done.TrySetException(unavailable);
                }
            }

            group.Clear();
        }
    }

    private async Task WriteGroupAsync(List<PendingWrite> group, CancellationToken cancellationToken)
    {
        group.Sort(static (a, b) => Compare(a.Batch, b.Batch));
        await using NpgsqlConnection db = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction tx = await db.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var inserts = new NpgsqlBatch(db, tx);
        foreach (PendingWrite write in group)
        {
            inserts.BatchCommands.Add(Insert(write));
        }

        await inserts.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        // Per robot: the accepted batches' counts, and the state of the newest one.
        var latest = new SortedDictionary<string, (PendingWrite Newest, long Batches, long Samples)>(StringComparer.Ordinal);
        for (int i = 0; i < group.Count; i++)
        {
            PendingWrite write = group[i];
            write.Accepted = inserts.BatchCommands[i].RecordsAffected == 1;
            if (!write.Accepted)
            {
                continue;
            }

            string robot = write.Batch.RobotId;
            latest[robot] = latest.TryGetValue(robot, out var seen)
                ? (write.LastWallNs >= seen.Newest.LastWallNs ? write : seen.Newest, seen.Batches + 1, seen.Samples + write.Batch.SampleCount)
                : (write, 1, write.Batch.SampleCount);
        }

        if (latest.Count > 0)
        {
            await using var upserts = new NpgsqlBatch(db, tx);
            foreach ((string robot, var entry) in latest)
            {
                // Of this group's batches of the robot, those of the newest one's boot (a replayed older boot's do not count there).
                long bootBatches = group.Count(w => w.Accepted && w.Batch.RobotId == robot && w.Batch.BootId == entry.Newest.Batch.BootId);
                upserts.BatchCommands.Add(Latest(robot, entry.Newest, entry.Batches, entry.Samples, bootBatches));
            }

            await upserts.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (PendingWrite write in group)
        {
            write.Done.TrySetResult(write.Accepted ? BatchAck.Types.Status.Accepted : BatchAck.Types.Status.Duplicate);
        }
    }

    private static int Compare(TelemetryBatch a, TelemetryBatch b)
    {
        int c = string.CompareOrdinal(a.RobotId, b.RobotId);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.BootId, b.BootId);
        }

        return c != 0 ? c : a.Seq.CompareTo(b.Seq);
    }

    private NpgsqlBatchCommand Insert(PendingWrite write)
    {
        TelemetryBatch b = write.Batch;
        var command = new NpgsqlBatchCommand(FleetSchema.InsertBatch);
        NpgsqlParameterCollection p = command.Parameters;
        p.Add(new NpgsqlParameter<string>() { TypedValue = b.RobotId });
        p.Add(new NpgsqlParameter<string>() { TypedValue = b.BootId });
        p.Add(new NpgsqlParameter<long>() { TypedValue = (long)b.Seq });
        p.Add(new NpgsqlParameter<string>() { TypedValue = _receiver });
        p.Add(new NpgsqlParameter<int>() { TypedValue = (int)b.SchemaVersion });
        p.Add(new NpgsqlParameter<bool>() { TypedValue = b.Replay });
        p.Add(new NpgsqlParameter<int>() { TypedValue = (int)b.SampleCount });
        p.Add(new NpgsqlParameter<string[]>() { TypedValue = [.. b.JointNames] });
        p.Add(new NpgsqlParameter<DateTime>() { TypedValue = Wall(write.FirstWallNs) });
        p.Add(new NpgsqlParameter<DateTime>() { TypedValue = Wall(write.LastWallNs) });
        p.Add(new NpgsqlParameter<long[]>() { TypedValue = BatchDecoder.Undelta(b.MonotonicNsDelta) });
        p.Add(new NpgsqlParameter<long[]>() { TypedValue = write.WallNs });
        p.Add(new NpgsqlParameter<long[]>() { TypedValue = BatchDecoder.Undelta(b.OverrunsDelta) });
        p.Add(Reals(b.Position));
        p.Add(Reals(b.Velocity));
        p.Add(Reals(b.Effort));
        p.Add(Reals(b.Command));
        p.Add(new NpgsqlParameter<double[]>() { TypedValue = [.. b.BaseX] });
        p.Add(new NpgsqlParameter<double[]>() { TypedValue = [.. b.BaseY] });
        p.Add(Reals(b.BaseHeading));
        p.Add(Reals(b.BaseVelocity));
        p.Add(Reals(b.Tilt));
        p.Add(Reals(b.TiltRate));
        p.Add(Reals(b.BatteryLevel));
        p.Add(Reals(b.BatteryVoltage));
        p.Add(Reals(b.CpuPercent));
        p.Add(Reals(b.UplinkRttMs));
        p.Add(new NpgsqlParameter<byte[]>() { TypedValue = b.SafetyState.ToByteArray() });
        p.Add(new NpgsqlParameter<byte[]>() { TypedValue = b.SafetyCause.ToByteArray() });
        return command;
    }

    private NpgsqlBatchCommand Latest(string robot, PendingWrite newest, long batches, long samples, long bootBatches)
    {
        TelemetryBatch b = newest.Batch;
        int last = (int)b.SampleCount - 1;
        var command = new NpgsqlBatchCommand(FleetSchema.UpsertLatest);
        NpgsqlParameterCollection p = command.Parameters;
        p.Add(new NpgsqlParameter<string>() { TypedValue = robot });
        p.Add(new NpgsqlParameter<string>() { TypedValue = b.BootId });
        p.Add(new NpgsqlParameter<long>() { TypedValue = (long)b.Seq });
        p.Add(new NpgsqlParameter<DateTime>() { TypedValue = Wall(newest.LastWallNs) });
        p.Add(new NpgsqlParameter<string>() { TypedValue = _receiver });
        p.Add(new NpgsqlParameter<float>() { TypedValue = b.BatteryLevel[last] });
        p.Add(new NpgsqlParameter<float>() { TypedValue = b.BatteryVoltage[last] });
        p.Add(new NpgsqlParameter<short>() { TypedValue = b.SafetyState[last] });
        p.Add(new NpgsqlParameter<short>() { TypedValue = b.SafetyCause[last] });
        p.Add(new NpgsqlParameter<double>() { TypedValue = b.BaseX[last] });
        p.Add(new NpgsqlParameter<double>() { TypedValue = b.BaseY[last] });
        p.Add(new NpgsqlParameter<float>() { TypedValue = b.BaseHeading[last] });
        p.Add(new NpgsqlParameter<float>() { TypedValue = b.Tilt[last] });
        p.Add(new NpgsqlParameter<float>() { TypedValue = b.UplinkRttMs[last] });
        p.Add(new NpgsqlParameter<long>() { TypedValue = batches });
        p.Add(new NpgsqlParameter<long>() { TypedValue = samples });
        p.Add(new NpgsqlParameter<long>() { TypedValue = bootBatches });
        return command;
    }

    private static NpgsqlParameter<float[]> Reals(Google.Protobuf.Collections.RepeatedField<float> values) => new() { TypedValue = [.. values] };

    private static DateTime Wall(long unixNs) => DateTime.UnixEpoch.AddTicks(unixNs / 100);

    [LoggerMessage(420, LogLevel.Error, "Could not write {Count} batches to the fleet store {Store}; answered Unavailable (the senders retry)")]
    private static partial void StoreFailed(ILogger logger, Exception exception, string store, int count);

    /// <summary>A batch waiting for the writer, and its outcome.</summary>
    private sealed class PendingWrite
    {
        public PendingWrite(TelemetryBatch batch)
        {
            Batch = batch;
            WallNs = BatchDecoder.Undelta(batch.WallUnixNsDelta);
            FirstWallNs = WallNs.Length > 0 ? WallNs[0] : 0;
            LastWallNs = WallNs.Length > 0 ? WallNs[^1] : 0;
        }

        public TelemetryBatch Batch { get; }

        public long[] WallNs { get; }

        public long FirstWallNs { get; }

        public long LastWallNs { get; }

        public bool Accepted { get; set; }

        public TaskCompletionSource<BatchAck.Types.Status> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
