using EdgeAgent.Configuration;
using EdgeAgent.Uplink;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;

namespace EdgeAgent.Tests.Uplink;

/// <summary>The breaker state the status line and the metrics show is Polly's own, not a count of events.</summary>
public sealed class UplinkBreakerStateTests
{
    [Test]
    public async Task FailedTrialThenRecovery_StateClosedThoughOpenedTwiceAndClosedOnce()
    {
        var time = new FakeTimeProvider();
        var counters = new UplinkCounters();
        var state = new CircuitBreakerStateProvider();
        var options = new UplinkOptions
        {
            MaxRetries = 0,
            BreakerFailureRatio = 0.5,
            BreakerMinimumThroughput = 2,
            BreakerSamplingDuration = TimeSpan.FromSeconds(10),
            BreakerBreakDuration = TimeSpan.FromSeconds(5),
        };
        ResiliencePipeline pipeline = UplinkResilience.Build(options, counters, NullLogger.Instance, time, state);

        for (int i = 0; i < 2; i++)
        {
            await Fail(pipeline);
        }

        Assert.That(state.CircuitState, Is.EqualTo(CircuitState.Open));
        time.Advance(TimeSpan.FromSeconds(6));
        await Fail(pipeline); // the trial call fails: open again, with no close in between
        Assert.That(state.CircuitState, Is.EqualTo(CircuitState.Open));
        time.Advance(TimeSpan.FromSeconds(6));
        await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask); // the trial call succeeds

        Assert.Multiple(() =>
        {
            Assert.That((counters.BreakerOpened, counters.BreakerClosed), Is.EqualTo((2L, 1L)), "counting events would still say OPEN");
            Assert.That(state.CircuitState, Is.EqualTo(CircuitState.Closed));
        });
    }

    private static async Task Fail(ResiliencePipeline pipeline)
    {
        try
        {
            await pipeline.ExecuteAsync(_ => throw new RpcException(new Status(StatusCode.Unavailable, "down")));
        }
        catch (Exception ex) when (ex is RpcException or BrokenCircuitException)
        {
        }
    }
}
