using System.Collections.Concurrent;
using EdgeAgent.Protocol.Protos;
using Grpc.Core;
using Status = EdgeAgent.Protocol.Protos.CommandResult.Types.Status;

namespace EdgeAgent.Ingest;

/// <summary>
/// The receiver's end of the fleet command links: which robot holds a <c>Connect</c> call here, delivery of a
/// signed command to it, and the match of each result to the caller waiting for it (by delivery number). The hub
/// never reads or checks a token: the robot does (a receiver that is compromised still cannot forge a command).
/// Thread-safe.
/// </summary>
internal sealed class CommandHub
{
    private readonly ConcurrentDictionary<string, RobotLink> _links = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<CommandResult>> _waiting = new();
    private long _delivery;
    private long _results;
    private long _unmatched;

    /// <summary>Gets the robots connected now.</summary>
    public IReadOnlyList<string> Connected => [.. _links.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Gets the results received.</summary>
    public long Results => Interlocked.Read(ref _results);

    /// <summary>Gets the results no caller was waiting for (it gave up, or the result came after a reconnect).</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Records a robot's link (a newer link of the same robot replaces the older).</summary>
    /// <param name="robotId">The robot.</param>
    /// <param name="bootId">Its run.</param>
    /// <param name="writer">The call's command stream.</param>
    /// <returns>The link, to detach when the call ends.</returns>
    public RobotLink Attach(string robotId, string bootId, IServerStreamWriter<Command> writer)
    {
        var link = new RobotLink(robotId, bootId, writer);
        _links[robotId] = link;
        return link;
    }

    /// <summary>Forgets a link whose call ended (unless a newer one replaced it).</summary>
    /// <param name="link">The link.</param>
    public void Detach(RobotLink link) => _links.TryRemove(new KeyValuePair<string, RobotLink>(link.RobotId, link));

    /// <summary>Whether a robot is connected.</summary>
    /// <param name="robotId">The robot.</param>
    /// <returns><see langword="true"/> when it holds a link here.</returns>
    public bool IsConnected(string robotId) => _links.ContainsKey(robotId);

    /// <summary>Delivers a signed command to a connected robot and waits for its result.</summary>
    /// <param name="robotId">The robot.</param>
    /// <param name="token">The signed command, passed on as it is.</param>
    /// <param name="wait">How long to wait for the result.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The robot's result, or UNDELIVERED saying why there is none.</returns>
    public async Task<CommandResult> IssueAsync(string robotId, string token, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!_links.TryGetValue(robotId, out RobotLink? link))
        {
            return Undelivered(robotId, $"robot {robotId} is not connected to this receiver");
        }

        ulong delivery = (ulong)Interlocked.Increment(ref _delivery);
        var result = new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[delivery] = result;
        try
        {
            try
            {
                await link.WriteAsync(new Command { Token = token, Delivery = delivery }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or RpcException)
            {
                return Undelivered(robotId, $"the link to robot {robotId} broke while sending ({ex.Message})");
            }

            try
            {
                return await result.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return Undelivered(robotId, $"no result from robot {robotId} within {wait.TotalSeconds:0.#} s (it may still carry the command out; its result is recorded when it comes)");
            }
        }
        finally
        {
            _waiting.TryRemove(delivery, out _);
        }
    }

    /// <summary>Takes a result a robot sent.</summary>
    /// <param name="result">The result.</param>
    public void Complete(CommandResult result)
    {
        Interlocked.Increment(ref _results);
        if (!(_waiting.TryRemove(result.Delivery, out TaskCompletionSource<CommandResult>? waiter) && waiter.TrySetResult(result)))
        {
            Interlocked.Increment(ref _unmatched);
        }
    }

    private static CommandResult Undelivered(string robotId, string detail) =>
        new() { RobotId = robotId, Status = Status.Undelivered, Detail = detail, CompletedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };

    /// <summary>One robot's <c>Connect</c> call.</summary>
    /// <remarks>Its semaphore is never disposed: one never asked for its wait handle holds nothing to release, and an
    /// <see cref="IssueAsync"/> racing the call's end must get a broken-link result, not ObjectDisposedException.</remarks>
#pragma warning disable CA1001
    internal sealed class RobotLink(string robotId, string bootId, IServerStreamWriter<Command> writer)
    {
        private readonly SemaphoreSlim _write = new(1, 1);

        public string RobotId { get; } = robotId;

        public string BootId { get; } = bootId;

        public async Task WriteAsync(Command command, CancellationToken cancellationToken)
        {
            await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await writer.WriteAsync(command, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _write.Release();
            }
        }
    }
#pragma warning restore CA1001
}
