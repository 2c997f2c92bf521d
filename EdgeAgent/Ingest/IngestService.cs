using System.Security.Cryptography;
using System.Text;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Protocol;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Ingest;

/// <summary>
/// The <c>TelemetryIngest</c> service of the <see cref="ReferenceReceiver"/>. Per batch, in order: the injected
/// delay and failures, validation (InvalidArgument), rejected seqs (InvalidArgument), then de-duplication,
/// storage and the acknowledgement. The bearer token is checked once per call.
/// </summary>
internal sealed class IngestService : TelemetryIngest.TelemetryIngestBase
{
    private readonly ReceiverState _state;
    private readonly ILogger _logger;

    public IngestService(ReceiverState state, ILoggerFactory loggerFactory)
    {
        _state = state;
        _logger = loggerFactory.CreateLogger<IngestService>();
    }

    /// <inheritdoc/>
    public override async Task<BatchAck> Send(TelemetryBatch request, ServerCallContext context)
    {
        Authorize(context);
        return await HandleAsync(request, context).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async Task Stream(IAsyncStreamReader<TelemetryBatch> requestStream, IServerStreamWriter<BatchAck> responseStream, ServerCallContext context)
    {
        Authorize(context);
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            TelemetryBatch batch = requestStream.Current;
            BatchAck ack;
            try
            {
                ack = await HandleAsync(batch, context).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument && !_state.Faults.EndStreamOnReject)
            {
                // One bad batch must not end the stream (and fail every batch in flight with it): it is refused
                // in its own acknowledgement. Transient failures still end the stream; the sender retries.
                ack = new BatchAck { RobotId = BatchLimits.Quote(batch.RobotId), BootId = batch.BootId, Seq = batch.Seq, Status = BatchAck.Types.Status.Rejected, Detail = ex.Status.Detail };
            }

            await responseStream.WriteAsync(ack, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<BatchAck> HandleAsync(TelemetryBatch batch, ServerCallContext context)
    {
        ReceiverFaults faults = _state.Faults;
        TimeSpan delay = faults.CurrentDelay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, context.CancellationToken).ConfigureAwait(false);
        }

        if (faults.TakeFailure() is { } failure)
        {
            IngestLog.FaultInjected(_logger, failure.StatusCode);
            throw failure;
        }

        string? error = BatchDecoder.Validate(batch);
        if (error is null && faults.IsRejected(batch.Seq))
        {
            error = $"seq {batch.Seq} is rejected by the fault injector";
        }

        if (error is not null)
        {
            // The key is quoted (cut to 64 characters, control characters replaced): a refused batch's fields
            // are whatever the peer sent, and a log line or a status message must not carry 1 MiB of them.
            string robotId = BatchLimits.Quote(batch.RobotId);
            string bootId = BatchLimits.Quote(batch.BootId);
            IngestLog.BatchRejected(_logger, robotId, bootId, batch.Seq, error);
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Batch {robotId}/{bootId}/{batch.Seq} rejected: {error}."));
        }

        BatchAck.Types.Status status;
        try
        {
            status = await _state.Store.StoreAsync(batch, context.CancellationToken).ConfigureAwait(false);
        }
        catch (BatchStoreUnavailableException ex)
        {
            IngestLog.StoreFailed(_logger, ex, BatchLimits.Quote(batch.RobotId), BatchLimits.Quote(batch.BootId), batch.Seq, _state.Store.Description);
            throw new RpcException(new Status(StatusCode.Unavailable, "The receiver could not store the batch; retry later."));
        }
        catch (BatchStoreRejectedException ex)
        {
            string robotId = BatchLimits.Quote(batch.RobotId);
            string bootId = BatchLimits.Quote(batch.BootId);
            IngestLog.BatchRejected(_logger, robotId, bootId, batch.Seq, ex.Message);
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Batch {robotId}/{bootId}/{batch.Seq} rejected: {ex.Message}."));
        }

        if (status == BatchAck.Types.Status.Duplicate)
        {
            IngestLog.Duplicate(_logger, batch.RobotId, batch.BootId, batch.Seq);
        }

        _state.Rules?.Observe(batch);

        return new BatchAck { RobotId = batch.RobotId, BootId = batch.BootId, Seq = batch.Seq, Status = status, SlowDownMs = faults.SlowDownMs };
    }

    private void Authorize(ServerCallContext context) => _state.Authorize(context, _logger);
}

/// <summary>What the <see cref="IngestService"/> instances of one receiver share.</summary>
internal sealed class ReceiverState(ReceiverStatistics statistics, ReceiverFaults faults, IBatchStore store, string? expectedToken, FleetRules? rules = null, Uri? advertise = null)
{
    public Uri? Advertise { get; } = advertise;

    public FleetRules? Rules { get; } = rules;

    public ReceiverStatistics Statistics { get; } = statistics;

    public ReceiverFaults Faults { get; } = faults;

    public IBatchStore Store { get; } = store;

    public byte[]? ExpectedAuthorization { get; } = expectedToken is null ? null : Encoding.UTF8.GetBytes($"Bearer {expectedToken}");

    /// <summary>Fails the call with Unauthenticated unless it carries the expected bearer token (compared in constant time).</summary>
    /// <param name="context">The call.</param>
    /// <param name="logger">Logs a refused call (never the token).</param>
    public void Authorize(ServerCallContext context, ILogger logger)
    {
        byte[]? expected = ExpectedAuthorization;
        if (expected is null)
        {
            return;
        }

        string? actual = context.RequestHeaders.GetValue("authorization");
        if (actual is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(actual), expected))
        {
            IngestLog.Unauthenticated(logger, context.Peer);
            throw new RpcException(new Status(StatusCode.Unauthenticated, "A valid bearer token is required (authorization: Bearer <token>)."));
        }
    }
}
