using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Configuration;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Protocol;
using EdgeAgent.Spill;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace EdgeAgent.Uplink;

/// <summary>What became of one batch.</summary>
internal enum SendResult
{
    /// <summary>The upstream acknowledged it (accepted, or it already had it).</summary>
    Acked,

    /// <summary>The upstream rejected it for good: it goes to the dead-letter spill.</summary>
    Rejected,

    /// <summary>It could not be delivered now (retries exhausted, circuit open, upstream refusing): keep it for replay.</summary>
    Failed,
}

/// <summary>The outcome of one send.</summary>
/// <param name="Result">What became of the batch.</param>
/// <param name="Status">The final gRPC status when not acked.</param>
/// <param name="SlowDown">A pace the upstream asked for in its acknowledgement.</param>
internal readonly record struct SendOutcome(SendResult Result, Status Status, TimeSpan SlowDown);

/// <summary>
/// What the uplink's state machine needs of the upstream: send one encoded batch, say what became of it, and
/// the breaker's state. <see cref="BatchSender"/> is the real one (gRPC through the Polly pipeline); tests give
/// the uplink a scripted one and drive it on a simulated clock.
/// </summary>
internal interface IBatchSender : IDisposable
{
    /// <summary>Gets the circuit breaker's state.</summary>
    CircuitState BreakerState { get; }

    /// <summary>Sends one batch (retries and the breaker included); never throws for an upstream failure.</summary>
    /// <param name="payload">The encoded batch.</param>
    /// <param name="key">Its key (the seq for the log; boot id and seq match a streamed ack to it).</param>
    /// <param name="cancellationToken">Cancels the send (the batch is then kept for replay).</param>
    /// <returns>The outcome.</returns>
    Task<SendOutcome> SendAsync(ReadOnlyMemory<byte> payload, BatchKey key, CancellationToken cancellationToken);
}

/// <summary>
/// Sends pre-serialized batches over one gRPC channel through the uplink's resilience pipeline. The bytes go
/// on the wire as they are (from the encoder or from the spill), never re-parsed. Each batch is one attempt of
/// the pipeline (its own timeout, retries, breaker, pushback) whichever the transport: <c>stream</c> (the
/// default) writes it on a long-lived <c>Stream</c> call and waits for its own ack (<see cref="AckStream"/>),
/// <c>unary</c> makes one <c>Send</c> call per batch. On loopback a stream moved 1.4-2.2x the batches per
/// second of unary calls, at a quarter of the client allocation per batch (docs/BENCHMARKS.md).
/// </summary>
internal sealed class BatchSender : IBatchSender
{
    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;
    private readonly ResiliencePipeline _pipeline;
    private readonly UplinkCounters _counters;
    private readonly Metadata _headers;
    private readonly CircuitBreakerStateProvider _breakerState = new();
    private readonly UplinkTransport _transport;
    private readonly Lock _streamLock = new();
    private AckStream? _stream;

    /// <summary>
    /// Gets the circuit breaker's state as the pipeline holds it. The status line and the metrics read this,
    /// not a count of open and close events: a failed trial call re-opens the breaker without a close between,
    /// so the counts said OPEN long after it had closed again.
    /// </summary>
    public CircuitState BreakerState => _breakerState.CircuitState;

    /// <summary>Gets the channel's call invoker: the fleet command link shares the channel (its connection, TLS and token).</summary>
    internal CallInvoker Invoker => _invoker;

    /// <summary>Gets the headers of every call (the bearer token, the encoding); never logged.</summary>
    internal Metadata Headers => _headers;

    /// <summary>Initializes a new instance of the <see cref="BatchSender"/> class.</summary>
    /// <param name="options">The validated uplink options (endpoint set).</param>
    /// <param name="counters">The uplink counters.</param>
    /// <param name="logger">The uplink logger.</param>
    /// <param name="time">The time provider.</param>
    public BatchSender(UplinkOptions options, UplinkCounters counters, ILogger logger, TimeProvider time)
    {
        _counters = counters;
        _transport = options.Transport;
        _pipeline = UplinkResilience.Build(options, counters, logger, time, _breakerState);
        var endpoint = new Uri(options.Endpoint);
        _headers = [];
        if (options.TokenFile.Length > 0)
        {
            if (endpoint.Scheme != Uri.UriSchemeHttps && !endpoint.IsLoopback)
            {
                throw new InvalidOperationException(
                    $"uplink.token_file is set but uplink.endpoint '{options.Endpoint}' is not https://: the token would cross the network in clear text. Fix: use an https:// endpoint.");
            }

            _headers.Add("authorization", "Bearer " + ReadToken(options.TokenFile));
        }

        if (options.Gzip)
        {
            _headers.Add("grpc-internal-encoding-request", "gzip");
        }

        _channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            HttpHandler = CreateHandler(options),
            MaxReceiveMessageSize = 4 << 20,
            MaxSendMessageSize = BatchLimits.MaxMessageBytes,

            // No ServiceConfig: gRPC's own retries stay off; the Polly pipeline is the one retry layer.
            ServiceConfig = null,

            // A call cancelled by Polly's attempt timeout must surface as OperationCanceledException (not
            // RpcException Cancelled) so the pipeline turns it into a timeout, retries it and counts it.
            ThrowOperationCanceledOnCancellation = true,
        });
        _invoker = _channel.CreateCallInvoker();
    }

    /// <summary>Sends one batch, retrying per the pipeline.</summary>
    /// <param name="payload">The serialized TelemetryBatch.</param>
    /// <param name="key">The batch's key (its seq for logs; boot id and seq match a streamed ack).</param>
    /// <param name="cancellationToken">Cancels the send (shutdown).</param>
    /// <returns>What became of the batch.</returns>
    public async Task<SendOutcome> SendAsync(ReadOnlyMemory<byte> payload, BatchKey key, CancellationToken cancellationToken)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(UplinkResilience.SeqKey, key.Seq);
        try
        {
            _counters.Sent();
            var started = Stopwatch.GetTimestamp();
            BatchAck ack = await _pipeline.ExecuteAsync(
                static (ctx, state) => state.Self.AttemptAsync(state.Payload, state.Key, ctx.CancellationToken),
                context,
                (Self: this, Payload: payload, Key: key)).ConfigureAwait(false);
            _counters.Acked(ack.Status == BatchAck.Types.Status.Duplicate, Stopwatch.GetElapsedTime(started));
            return new SendOutcome(SendResult.Acked, Status.DefaultSuccess, TimeSpan.FromMilliseconds(ack.SlowDownMs));
        }
        catch (RpcException ex) when (UplinkResilience.IsPermanent(ex.StatusCode))
        {
            return new SendOutcome(SendResult.Rejected, ex.Status, TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is RpcException or BrokenCircuitException or TimeoutRejectedException or HttpRequestException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _counters.Failed();
            return new SendOutcome(SendResult.Failed, ex is RpcException rpc ? rpc.Status : new Status(StatusCode.Unavailable, UplinkResilience.Describe(ex)), TimeSpan.Zero);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_streamLock)
        {
            _stream?.Dispose();
            _stream = null;
        }

        _channel.Dispose();
    }

    /// <summary>One attempt: the batch on the stream (or one unary call), its ack or the error to retry on.</summary>
    private async ValueTask<BatchAck> AttemptAsync(ReadOnlyMemory<byte> payload, BatchKey key, CancellationToken cancellationToken)
    {
        if (_transport == UplinkTransport.Unary)
        {
            return await UnaryAsync(payload, cancellationToken).ConfigureAwait(false);
        }

        BatchAck ack;
        try
        {
            ack = await CurrentStream().SendAsync(new BatchPayload(payload), (key.BootId, key.Seq), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (UplinkResilience.IsPermanent(ex.StatusCode))
        {
            // A receiver that ends the whole stream on one bad batch: which batch it was is not known, so each
            // batch that was on the stream asks once over unary, which answers for it alone.
            return await UnaryAsync(payload, cancellationToken).ConfigureAwait(false);
        }

        return ack.Status == BatchAck.Types.Status.Rejected
            ? throw new RpcException(new Status(StatusCode.InvalidArgument, ack.Detail))
            : ack;
    }

    private async ValueTask<BatchAck> UnaryAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var call = _invoker.AsyncUnaryCall(TelemetryRawMethods.Send, null, new CallOptions(_headers, cancellationToken: cancellationToken), new BatchPayload(payload));
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    private AckStream CurrentStream()
    {
        lock (_streamLock)
        {
            if (_stream is null || _stream.IsBroken)
            {
                _stream?.Dispose();
                _stream = new AckStream(_invoker, _headers);
            }

            return _stream;
        }
    }

    /// <summary>The HTTP/2 handler of a channel to the fleet endpoint (keep-alive pings, the CA file's roots when given).</summary>
    /// <param name="options">The uplink options (endpoint trust and connect timeout).</param>
    /// <returns>The handler.</returns>
    internal static SocketsHttpHandler CreateHandler(UplinkOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = options.AttemptTimeout,
        };
        if (options.CaFile.Length > 0)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(options.CaFile);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            };
        }

        return handler;
    }

    /// <summary>Reads the bearer token, refusing a file that others can read (the token is a secret).</summary>
    /// <param name="path">The token file.</param>
    /// <returns>The token.</returns>
    internal static string ReadToken(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"uplink.token_file '{path}' does not exist. Fix: create it (mode 0600) or clear token_file.");
        }

        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite)) != 0)
            {
                throw new InvalidOperationException($"uplink.token_file '{path}' can be read or written by others (mode {Convert.ToString((int)mode, 8)}). Fix: chmod 600 '{path}'.");
            }
        }

        string token = File.ReadAllText(path).Trim();
        if (token.Length == 0 || token.Any(char.IsWhiteSpace))
        {
            throw new InvalidOperationException($"uplink.token_file '{path}' is empty or holds more than one token. Fix: put the bare token on one line.");
        }

        return token;
    }
}
