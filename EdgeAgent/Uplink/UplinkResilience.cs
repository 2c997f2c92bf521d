using System.Globalization;
using EdgeAgent.Configuration;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace EdgeAgent.Uplink;

/// <summary>
/// The uplink's one retry layer: a single Polly pipeline, outermost first: retry (exponential backoff with
/// jitter on transient status codes, honouring a server-requested delay) → circuit breaker → attempt timeout.
/// gRPC's own retry policy stays off (the channel has no service config), so there is exactly one.
/// </summary>
internal static class UplinkResilience
{
    /// <summary>The trailer a server sets to ask the client to wait before retrying (gRPC retry design, A6).</summary>
    public const string PushbackTrailer = "grpc-retry-pushback-ms";

    /// <summary>The property of the resilience context holding the batch sequence number, for logs.</summary>
    public static readonly ResiliencePropertyKey<ulong> SeqKey = new("edgeagent.seq");

    /// <summary>Whether a status code is transient: worth retrying the same batch.</summary>
    /// <param name="code">The status code.</param>
    /// <returns><see langword="true"/> for Unavailable, DeadlineExceeded, ResourceExhausted and Aborted.</returns>
    public static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted;

    /// <summary>Whether a status code rejects this batch for good (retrying cannot help; it goes to the dead-letter spill).</summary>
    /// <param name="code">The status code.</param>
    /// <returns><see langword="true"/> for InvalidArgument, FailedPrecondition, OutOfRange and DataLoss.</returns>
    public static bool IsPermanent(StatusCode code) =>
        code is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange or StatusCode.DataLoss;

    /// <summary>Builds the pipeline.</summary>
    /// <param name="options">The uplink options.</param>
    /// <param name="counters">Counts retries and breaker transitions.</param>
    /// <param name="logger">Logs breaker transitions and retries.</param>
    /// <param name="time">The time provider (fake in tests).</param>
    /// <param name="breakerState">Reports the circuit breaker's state as Polly holds it (null: not needed).</param>
    /// <returns>The pipeline.</returns>
    public static ResiliencePipeline Build(UplinkOptions options, UplinkCounters counters, ILogger logger, TimeProvider time, CircuitBreakerStateProvider? breakerState = null)
    {
        var transient = new PredicateBuilder()
            .Handle<RpcException>(ex => IsTransient(ex.StatusCode))
            .Handle<TimeoutRejectedException>();

        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                DelayGenerator = args => ValueTask.FromResult(ServerRequestedDelay(args.Outcome.Exception, options.RetryMaxDelay)),
                OnRetry = args =>
                {
                    counters.Retried();
                    args.Context.Properties.TryGetValue(SeqKey, out ulong seq);
                    UplinkLog.Retrying(logger, seq, args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1, Describe(args.Outcome.Exception));
                    return default;
                },
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = options.BreakerFailureRatio,
                SamplingDuration = options.BreakerSamplingDuration,
                MinimumThroughput = options.BreakerMinimumThroughput,
                BreakDuration = options.BreakerBreakDuration,
                StateProvider = breakerState,
                OnOpened = args =>
                {
                    counters.Opened();
                    UplinkLog.BreakerOpened(logger, args.BreakDuration.TotalSeconds, Describe(args.Outcome.Exception));
                    return default;
                },
                OnClosed = _ =>
                {
                    counters.Closed();
                    UplinkLog.BreakerClosed(logger);
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    /// <summary>The delay a server asked for in the <c>grpc-retry-pushback-ms</c> trailer, capped; null to use the backoff.</summary>
    /// <param name="exception">The failed attempt's exception.</param>
    /// <param name="max">The longest delay honoured.</param>
    /// <returns>The delay, or null.</returns>
    public static TimeSpan? ServerRequestedDelay(Exception? exception, TimeSpan max)
    {
        if (exception is RpcException rpc
            && rpc.Trailers.GetValue(PushbackTrailer) is { } text
            && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long ms)
            && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(Math.Min(ms, max.TotalMilliseconds));
        }

        return null;
    }

    /// <summary>Describes a failure for a log line (status code and detail; never the request).</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>A short description.</returns>
    public static string Describe(Exception? exception) => exception switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        TimeoutRejectedException => "attempt timeout",
        BrokenCircuitException => "circuit open",
        null => "no exception",
        _ => exception.GetType().Name,
    };
}
