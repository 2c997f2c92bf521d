using EdgeAgent.Protocol;
using EdgeAgent.Protocol.Protos;

namespace EdgeAgent.Ingest;

/// <summary>
/// The development store: de-duplication in this receiver's memory (<see cref="ReceiverStatistics"/>) and,
/// optionally, one JSON line per unique batch in a file. Forgets every key when the receiver stops; for a store
/// that survives restarts and is shared by several receivers use <see cref="PostgresBatchStore"/>.
/// </summary>
internal sealed class MemoryBatchStore(ReceiverStatistics statistics, JsonLinesSink? sink) : IBatchStore
{
    /// <inheritdoc/>
    public string Description => sink is null ? "memory" : $"memory + {sink.Path}";

    /// <inheritdoc/>
    public ValueTask<BatchAck.Types.Status> StoreAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        string? line = sink is null ? null : BatchJson.ToJson(batch);
        try
        {
            return ValueTask.FromResult(statistics.Record(batch.RobotId, batch.BootId, batch.Seq, batch.SampleCount, sink, line));
        }
        catch (IOException ex)
        {
            throw new BatchStoreUnavailableException($"Could not write {sink?.Path}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>In memory the command events are the receiver's log lines and its counts (<see cref="CommandHub"/>); nothing is kept.</remarks>
    public ValueTask RecordCommandAsync(CommandResult result, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask RaiseAlertAsync(string robotId, string kind, string detail, DateTimeOffset at, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask ClearAlertAsync(string robotId, string kind, DateTimeOffset at, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask<(DateTimeOffset At, string Receiver)?> LastStoredAsync(string robotId, CancellationToken cancellationToken) => ValueTask.FromResult<(DateTimeOffset, string)?>(null);

    /// <inheritdoc/>
    public ValueTask SetLinkAsync(string robotId, string? address, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask<(string Receiver, string Address)?> FindLinkAsync(string robotId, CancellationToken cancellationToken) => ValueTask.FromResult<(string, string)?>(null);

    /// <inheritdoc/>
    public string ReceiverName => "memory";

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        sink?.Dispose();
        return ValueTask.CompletedTask;
    }
}
