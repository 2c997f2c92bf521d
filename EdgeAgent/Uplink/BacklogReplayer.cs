using EdgeAgent.Spill;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Uplink;

/// <summary>
/// Replays the spill's backlog oldest first (a cursor from the acknowledged low-water mark) with
/// replay = true, at most replay_rate_per_second (<see cref="ReplayPacer"/>) and <see cref="Window"/> sends at
/// once, while live batches keep flowing: when they queue up (the link is full) the replay steps aside. A
/// failure stops it for a back-off (half the breaker's break), and it resumes from the low-water mark
/// (acknowledged records are skipped).
/// </summary>
internal sealed class BacklogReplayer
{
    /// <summary>The most replays in flight at once (and the token bucket's burst).</summary>
    public const int Window = 16;

    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the replay steps aside when live batches queue up.</summary>
    private static readonly TimeSpan LiveFirst = TimeSpan.FromMilliseconds(10);

    private readonly UplinkLedger _ledger;
    private readonly IBatchSender _sender;
    private readonly UplinkOptions _options;
    private readonly CancellationToken _sendCancel;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="BacklogReplayer"/> class.</summary>
    /// <param name="ledger">Where the backlog is and where outcomes go.</param>
    /// <param name="sender">The upstream.</param>
    /// <param name="options">The uplink options (replay rate, breaker break duration).</param>
    /// <param name="logger">The uplink logger.</param>
    /// <param name="time">The clock of the token bucket and back-offs.</param>
    /// <param name="sendCancel">Cancels every replay in flight (the record stays in the backlog).</param>
    public BacklogReplayer(UplinkLedger ledger, IBatchSender sender, UplinkOptions options, ILogger logger, TimeProvider time, CancellationToken sendCancel)
    {
        _ledger = ledger;
        _sender = sender;
        _options = options;
        _sendCancel = sendCancel;
        _logger = logger;
        _time = time;
    }

    /// <summary>Replays until <paramref name="stoppingToken"/> is cancelled, then waits for the replays in flight.</summary>
    /// <param name="stoppingToken">Stops the replay.</param>
    /// <returns>A task that completes at stop.</returns>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var window = new List<Task<bool>>(Window);
        SpillCursor? cursor = null;
        var pacer = new ReplayPacer(_time, _options.ReplayRatePerSecond, Window);
        UplinkCounters counters = _ledger.Counters;
        long replayedAtStart = counters.Replayed;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_ledger.TakeReopenCursor() || cursor is null)
                {
                    await Task.WhenAll(window).ConfigureAwait(false);
                    window.Clear();
                    cursor?.Dispose();
                    cursor = _ledger.OpenCursor();
                }

                // Live data first: while live batches queue up (the link is full), the replay waits.
                if (_ledger.QueuedCount >= LiveSender.PipelineThreshold)
                {
                    await Task.Delay(LiveFirst, _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                // replay_rate_per_second, with a burst of one window.
                if (!pacer.TryTake(out TimeSpan wait))
                {
                    await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (!_ledger.TryClaimNext(cursor, out SpillRecord record))
                {
                    await Task.WhenAll(window).ConfigureAwait(false);
                    bool failed = window.Exists(t => !t.Result);
                    window.Clear();
                    if (counters.Replayed > replayedAtStart && _ledger.Spill.Statistics.PendingRecords == 0)
                    {
                        UplinkLog.BacklogDrained(_logger, counters.Replayed - replayedAtStart);
                        replayedAtStart = counters.Replayed;
                    }

                    await Task.Delay(failed ? _options.BreakerBreakDuration / 2 : Idle, _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                window.Add(ReplayOneAsync(record));
                if (window.Count >= Window)
                {
                    Task<bool> done = await Task.WhenAny(window).ConfigureAwait(false);
                    window.Remove(done);
                    if (!done.Result)
                    {
                        // The upstream is failing: stop, back off, resume from the low-water mark.
                        await Task.WhenAll(window).ConfigureAwait(false);
                        window.Clear();
                        _ledger.ReopenCursor();
                        await Task.Delay(_options.BreakerBreakDuration / 2, _time, stoppingToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(window).ConfigureAwait(false);
            cursor?.Dispose();
        }
    }

    private async Task<bool> ReplayOneAsync(SpillRecord record)
    {
        var batch = new PendingBatch(record.Key, ReplayPayload.Mark(record.Payload.Span, out byte[] rented), record.Position);
        ReplayPayload.Return(rented);
        try
        {
            SendOutcome outcome = await _sender.SendAsync(batch.Payload, record.Key, _sendCancel).ConfigureAwait(false);
            _ledger.Settle(batch, outcome, replayed: true);
            if (outcome.Result == SendResult.Failed)
            {
                _ledger.ReopenCursor();
                return false;
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            _ledger.Unclaim(record.Position);
            batch.Release();
            return false;
        }
    }
}
