using EdgeAgent.Protocol.Protos;

namespace EdgeAgent.Ingest;

/// <summary>
/// Where a receiver keeps the batches it accepts. The store decides whether a batch is new (ACCEPTED: stored
/// now) or already held (DUPLICATE), by its key (robot_id, boot_id, seq); the acknowledgement follows only once
/// the batch is stored. Each store also counts what it decided in the receiver's <see cref="ReceiverStatistics"/>.
/// Thread-safe.
/// </summary>
internal interface IBatchStore : IAsyncDisposable
{
    /// <summary>Gets a description for logs and the console, without secrets (for example <c>postgresql://edgeagent@127.0.0.1:5432/fleet</c>).</summary>
    string Description { get; }

    /// <summary>Stores a validated batch unless its key is already stored.</summary>
    /// <param name="batch">The batch (validated by <see cref="Protocol.BatchDecoder.Validate"/>).</param>
    /// <param name="cancellationToken">Cancels the wait (the write may still complete).</param>
    /// <returns>ACCEPTED when stored now, DUPLICATE when it was stored before.</returns>
    /// <exception cref="BatchStoreUnavailableException">The store cannot be written now; the sender should retry.</exception>
    /// <exception cref="BatchStoreRejectedException">The batch can never be stored (for example a seq past the store's range).</exception>
    ValueTask<BatchAck.Types.Status> StoreAsync(TelemetryBatch batch, CancellationToken cancellationToken);

    /// <summary>Records a fleet command's result, the event the robot sent upstream (a result sent twice, after a reconnect, is kept once).</summary>
    /// <param name="result">The result.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when it is recorded.</returns>
    /// <exception cref="BatchStoreUnavailableException">The store cannot be written now.</exception>
    ValueTask RecordCommandAsync(CommandResult result, CancellationToken cancellationToken);

    /// <summary>Records a fleet alert (one open alert per robot and kind: raising it again updates its detail).</summary>
    /// <param name="robotId">The robot.</param>
    /// <param name="kind">The rule: <c>low_battery</c>, <c>geofence</c>, <c>stale</c>.</param>
    /// <param name="detail">What the rule saw and did.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the alert is stored.</returns>
    ValueTask RaiseAlertAsync(string robotId, string kind, string detail, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Closes a robot's open alert of a kind, if any.</summary>
    /// <param name="robotId">The robot.</param>
    /// <param name="kind">The rule.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the alert is closed.</returns>
    ValueTask ClearAlertAsync(string robotId, string kind, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>When any receiver on this store last stored a batch of the robot, and which (null: unknown to the store, or a store of this receiver alone).</summary>
    /// <param name="robotId">The robot.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The time and the receiver, or null.</returns>
    ValueTask<(DateTimeOffset At, string Receiver)?> LastStoredAsync(string robotId, CancellationToken cancellationToken);

    /// <summary>Records that this receiver holds (address non-null) or no longer holds (null) a robot's command link.</summary>
    /// <param name="robotId">The robot.</param>
    /// <param name="address">Where the other receivers reach this one (<c>--advertise</c>); null: the link is gone.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when recorded.</returns>
    ValueTask SetLinkAsync(string robotId, string? address, CancellationToken cancellationToken);

    /// <summary>Which receiver holds a robot's command link, and where it is reached (null: none, or a store of this receiver alone).</summary>
    /// <param name="robotId">The robot.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The receiver's name and address, or null.</returns>
    ValueTask<(string Receiver, string Address)?> FindLinkAsync(string robotId, CancellationToken cancellationToken);

    /// <summary>Gets this receiver's name in the store.</summary>
    string ReceiverName { get; }
}

/// <summary>The store cannot be written now (disk, database down); the receiver answers Unavailable and the sender retries.</summary>
internal sealed class BatchStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The batch can never be stored; the receiver refuses it (InvalidArgument / REJECTED).</summary>
internal sealed class BatchStoreRejectedException(string message) : Exception(message);
