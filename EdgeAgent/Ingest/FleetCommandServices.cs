using EdgeAgent.Commands;
using EdgeAgent.Protocol;
using EdgeAgent.Protocol.Protos;
using Grpc.Core;
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
        }
    }
}

/// <summary><c>FleetControl.Issue</c>: hands a signed command to the robot's link here and returns its result.</summary>
internal sealed class FleetControlService(ReceiverState state, CommandHub hub, ILoggerFactory loggerFactory) : FleetControl.FleetControlBase
{
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
        return await hub.IssueAsync(request.RobotId, request.Token, wait, context.CancellationToken).ConfigureAwait(false);
    }
}
