using EdgeAgent.Configuration;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Uplink;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace EdgeAgent.Commands;

/// <summary>
/// The robot's end of the fleet command link: one long-lived <c>FleetCommands.Connect</c> call on the
/// telemetry channel (its connection, TLS and bearer token), kept open with the uplink's back-off (a Polly
/// retry: exponential with jitter from <c>uplink.retry_base_delay</c> to <c>uplink.retry_max_delay</c>, for as
/// long as the agent runs). Commands are verified and carried out one at a time, in arrival order, by the
/// <see cref="CommandProcessor"/>; each result is written back on the call, and a result the broken link could
/// not take is sent first on the next one, so no result is lost to a receiver restart.
/// </summary>
internal sealed class CommandLink : BackgroundService
{
    /// <summary>The request header naming the robot.</summary>
    public const string RobotHeader = "edgeagent-robot-id";

    /// <summary>The request header naming the agent run.</summary>
    public const string BootHeader = "edgeagent-boot-id";

    private const int MaxUnsent = 1000;

    private readonly FleetCommands.FleetCommandsClient _client;
    private readonly Metadata _headers;
    private readonly CommandProcessor _processor;
    private readonly CommandState _state;
    private readonly AgentOptions _options;
    private readonly string _bootId;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Queue<CommandResult> _unsent = new();

    /// <summary>Initializes a new instance of the <see cref="CommandLink"/> class.</summary>
    /// <param name="invoker">The telemetry channel's call invoker.</param>
    /// <param name="channelHeaders">The telemetry channel's call headers (token).</param>
    /// <param name="processor">Verifies and carries out commands.</param>
    /// <param name="state">Records the link's state.</param>
    /// <param name="options">The configuration.</param>
    /// <param name="bootId">This run's boot id.</param>
    /// <param name="logger">The command logger.</param>
    /// <param name="time">The clock of the back-off.</param>
    public CommandLink(CallInvoker invoker, Metadata channelHeaders, CommandProcessor processor, CommandState state, AgentOptions options, string bootId, ILogger logger, TimeProvider time)
    {
        _client = new FleetCommands.FleetCommandsClient(invoker);
        _headers = [];
        foreach (Metadata.Entry entry in channelHeaders)
        {
            if (!entry.Key.StartsWith("grpc-", StringComparison.Ordinal))
            {
                _headers.Add(entry);
            }
        }

        _headers.Add(RobotHeader, options.Robot.Id);
        _headers.Add(BootHeader, bootId);
        _processor = processor;
        _state = state;
        _options = options;
        _bootId = bootId;
        _logger = logger;
        _time = time;
    }

    /// <summary>Gets how many results were dropped unsent (more than 1000 waiting for the link).</summary>
    public long DroppedResults { get; private set; }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        UplinkOptions uplink = _options.Uplink;
        ResiliencePipeline reconnect = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => !stoppingToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = uplink.RetryBaseDelay,
                MaxDelay = uplink.RetryMaxDelay,
                OnRetry = args =>
                {
                    _state.SetLink("connecting");
                    CommandsLog.Disconnected(_logger, uplink.Endpoint, Describe(args.Outcome.Exception), args.RetryDelay);
                    return default;
                },
            })
            .Build();

        _state.SetLink("connecting");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // One execution until a session that was up ends: the next starts its back-off from the base delay again.
                await reconnect.ExecuteAsync(static (state, ct) => new ValueTask(state.SessionAsync(ct)), this, stoppingToken).ConfigureAwait(false);
                _state.SetLink("connecting");
                await Task.Delay(uplink.RetryBaseDelay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
        }

        _state.SetLink("off");
    }

    private static string Describe(Exception? exception) => exception switch
    {
        null => "the fleet ended the call",
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    /// <summary>One connection: up, send what is unsent, then commands in and results out until it breaks.</summary>
    /// <returns>Completes when a session that was up ended; throws when it never came up.</returns>
    private async Task SessionAsync(CancellationToken cancellationToken)
    {
        using var call = _client.Connect(_headers, cancellationToken: cancellationToken);
        await call.ResponseHeadersAsync.ConfigureAwait(false);
        _state.SetLink("connected");
        CommandsLog.Connected(_logger, _options.Uplink.Endpoint, _options.Robot.Id, string.Join(", ", _options.Commands.Allow));
        try
        {
            while (_unsent.TryPeek(out CommandResult? waiting))
            {
                await call.RequestStream.WriteAsync(waiting, cancellationToken).ConfigureAwait(false);
                _unsent.Dequeue();
            }

            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                Command command = call.ResponseStream.Current;
                CommandResult result = await _processor.HandleAsync(command.Token, cancellationToken).ConfigureAwait(false);
                result.RobotId = _options.Robot.Id;
                result.BootId = _bootId;
                result.Delivery = command.Delivery;
                Keep(result);
                await call.RequestStream.WriteAsync(result, cancellationToken).ConfigureAwait(false);
                _unsent.Dequeue();
            }

            CommandsLog.Disconnected(_logger, _options.Uplink.Endpoint, "the fleet ended the call", _options.Uplink.RetryBaseDelay);
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            CommandsLog.Disconnected(_logger, _options.Uplink.Endpoint, Describe(ex), _options.Uplink.RetryBaseDelay);
        }
    }

    private void Keep(CommandResult result)
    {
        if (_unsent.Count >= MaxUnsent)
        {
            _unsent.Dequeue();
            DroppedResults++;
        }

        _unsent.Enqueue(result);
    }
}
