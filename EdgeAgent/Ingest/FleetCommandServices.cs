using EdgeAgent.Commands;
using EdgeAgent.Protocol;
using EdgeAgent.Protocol.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Ingest;

/// <summary>
/// <c>FleetCommands.Connect</c>: a robot's command link. The call is authorised as telemetry is (the bearer
/// token), names its robot in the <c>edgeagent-robot-id</c> header, and carries commands down and results up;
/// each result is logged and recorded in the store as the robot's command event.
/// </summary>
internal sealed class FleetCommandsService(ReceiverState state, CommandHub hub, ILoggerFactory loggerFactory) : FleetCommands.FleetCommandsBase
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<FleetCommandsService>();

    /// <inheritdoc/>
    public override async Task Connect(IAsyncStreamReader<CommandResult> requestStream, IServerStreamWriter<Command> responseStream, ServerCallContext context)
    {
        state.Authorize(context, _logger);
        string robotId = context.RequestHeaders.GetValue(CommandLink.RobotHeader) ?? string.Empty;
        string bootId = context.RequestHeaders.GetValue(CommandLink.BootHeader) ?? string.Empty;
        if (BatchLimits.CheckId(CommandLink.RobotHeader, robotId) is { } bad)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, $"The command link needs its robot: {bad}."));
        }

        await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
        CommandHub.RobotLink link = hub.Attach(robotId, bootId, responseStream);
        IngestLog.CommandLinkUp(_logger, robotId, BatchLimits.Quote(bootId), context.Peer);
        await RecordLinkAsync(robotId, state.Advertise?.ToString()).ConfigureAwait(false);
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                CommandResult result = requestStream.Current;
                result.RobotId = robotId;   // the link's robot, whatever the message says
                result.Detail = result.Detail.Length > 4096 ? result.Detail[..4096] : result.Detail;
                IngestLog.CommandResult(_logger, robotId, BatchLimits.Quote(result.CommandId), BatchLimits.Quote(result.Type), CommandState.Name(result.Status), result.Detail);
                try
                {
                    await state.Store.RecordCommandAsync(result, context.CancellationToken).ConfigureAwait(false);
                }
                catch (BatchStoreUnavailableException ex)
                {
                    // The result still reaches its caller; only the stored event is missing, and the log says so.
                    IngestLog.CommandEventNotStored(_logger, robotId, BatchLimits.Quote(result.CommandId), ex.Message);
                }

                hub.Complete(result);
            }
        }
        catch (IOException) when (context.CancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            hub.Detach(link);
            IngestLog.CommandLinkDown(_logger, robotId);
            if (!hub.IsConnected(robotId))
            {
                await RecordLinkAsync(robotId, null).ConfigureAwait(false);
            }
        }
    }

    private async Task RecordLinkAsync(string robotId, string? address)
    {
        if (state.Advertise is null)
        {
            return;
        }

        try
        {
            await state.Store.SetLinkAsync(robotId, address, CancellationToken.None).ConfigureAwait(false);
        }
        catch (BatchStoreUnavailableException ex)
        {
            // The link works; only commands issued at other receivers cannot find it until the next connect.
            IngestLog.CommandLinkNotRecorded(_logger, robotId, ex.Message);
        }
    }
}

/// <summary><c>FleetControl.Issue</c>: hands a signed command to the robot's link here and returns its result.</summary>
internal sealed class FleetControlService(ReceiverState state, CommandHub hub, ILoggerFactory loggerFactory) : FleetControl.FleetControlBase
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, GrpcChannel> Channels = new(StringComparer.Ordinal);
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);
    private readonly ILogger _logger = loggerFactory.CreateLogger<FleetControlService>();

    /// <inheritdoc/>
    public override async Task<CommandResult> Issue(IssueRequest request, ServerCallContext context)
    {
        state.Authorize(context, _logger);
        if (BatchLimits.CheckId("robot_id", request.RobotId) is { } bad)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, bad + "."));
        }

        if (request.Token.Length is 0 or > 64 * 1024)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "token must be a signed command of 1-65536 characters (edge-agent fleet command signs one)."));
        }

        TimeSpan wait = request.WaitMs == 0 ? DefaultWait : TimeSpan.FromMilliseconds(Math.Min(request.WaitMs, MaxWait.TotalMilliseconds));
        if (!hub.IsConnected(request.RobotId) && context.RequestHeaders.GetValue(ForwardedHeader) is null
            && await FindElsewhereAsync(request.RobotId, context.CancellationToken).ConfigureAwait(false) is { } elsewhere)
        {
            return await ForwardAsync(request, elsewhere.Receiver, elsewhere.Address, context).ConfigureAwait(false);
        }

        return await hub.IssueAsync(request.RobotId, request.Token, wait, context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>The header that marks a forwarded Issue: it is never forwarded again (no loops between receivers).</summary>
    public const string ForwardedHeader = "edgeagent-forwarded-by";

    private async Task<(string Receiver, Uri Address)?> FindElsewhereAsync(string robotId, CancellationToken cancellationToken)
    {
        try
        {
            if (await state.Store.FindLinkAsync(robotId, cancellationToken).ConfigureAwait(false) is { } link
                && link.Receiver != state.Store.ReceiverName && Uri.TryCreate(link.Address, UriKind.Absolute, out Uri? address))
            {
                return (link.Receiver, address);
            }
        }
        catch (BatchStoreUnavailableException ex)
        {
            IngestLog.CommandLinkNotFound(_logger, robotId, ex.Message);
        }

        return null;
    }

    private async Task<CommandResult> ForwardAsync(IssueRequest request, string receiver, Uri address, ServerCallContext context)
    {
        var headers = new Metadata { { ForwardedHeader, state.Store.ReceiverName } };
        if (context.RequestHeaders.GetValue("authorization") is { } authorization)
        {
            headers.Add("authorization", authorization);
        }

        GrpcChannel channel = Channels.GetOrAdd(address.ToString(), a => GrpcChannel.ForAddress(a));
        try
        {
            CommandResult result = await new FleetControl.FleetControlClient(channel)
                .IssueAsync(request, headers, deadline: context.Deadline, cancellationToken: context.CancellationToken).ConfigureAwait(false);
            IngestLog.CommandForwarded(_logger, request.RobotId, receiver, CommandState.Name(result.Status));
            return result;
        }
        catch (RpcException ex)
        {
            return new CommandResult
            {
                RobotId = request.RobotId,
                Status = CommandResult.Types.Status.Undelivered,
                Detail = $"robot {request.RobotId} is connected to receiver {receiver} ({address}), which did not take the command ({ex.StatusCode}: {ex.Status.Detail})",
            };
        }
    }
}
