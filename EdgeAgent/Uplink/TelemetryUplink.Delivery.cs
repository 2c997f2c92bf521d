using EdgeAgent.Configuration;
using EdgeAgent.Spill;
using EdgeAgent.Protocol;

namespace EdgeAgent.Uplink;

/// <summary>The delivery half of the uplink: live sends, replay of the backlog, stop.</summary>
internal sealed partial class TelemetryUplink
{
    private static readonly TimeSpan ReplayIdle = TimeSpan.FromMilliseconds(250);

    /// <summary>Below this many queued batches live sends go one at a time, so they arrive in seq order.</summary>
    private const int PipelineThreshold = 4;

    private readonly List<Task> _sends = [];
    private Task _lastLive = Task.CompletedTask;

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _queued.WaitAsync(stoppingToken).ConfigureAwait(false);

                // At the nominal rate the queue is short: one send at a time keeps batches in seq order at the
                // receiver. A backlog opens the window (up to MaxInFlight = 16 concurrent calls) for throughput.
                if (QueuedCount() < PipelineThreshold)
                {
                    await _lastLive.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                await _inFlight.WaitAsync(stoppingToken).ConfigureAwait(false);
                await PaceAsync(stoppingToken).ConfigureAwait(false);
                if (!TryDequeue(out PendingBatch? batch))
                {
                    _inFlight.Release();
                    continue;
                }

                _lastLive = SendLiveAsync(batch);
                Track(_lastLive);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private int QueuedCount()
    {
        lock (_lock)
        {
            return _queue.Count;
        }
    }

    private bool TryDequeue([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PendingBatch? batch)
    {
        lock (_lock)
        {
            batch = _queue.First?.Value;
            if (batch is not null)
            {
                _queue.RemoveFirst();
                _queuedBytes -= batch.Length;
            }
        }

        return batch is not null;
    }

    private async Task SendLiveAsync(PendingBatch batch)
    {
        try
        {
            if (batch.Position is { } durable)
            {
                // Write-ahead: a batch is sent only once it is durable in the spill.
                await Spill.WhenDurable(durable).WaitAsync(_sendCancel.Token).ConfigureAwait(false);
            }

            SendOutcome outcome = await _sender!.SendAsync(batch.Payload, batch.Key.Seq, _sendCancel.Token).ConfigureAwait(false);
            Settle(batch, outcome, replayed: false);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                KeepForReplay(batch);
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>Records what became of a batch (live or replayed) and releases its buffer.</summary>
    private void Settle(PendingBatch batch, SendOutcome outcome, bool replayed)
    {
        if (outcome.SlowDown > TimeSpan.Zero)
        {
            Interlocked.Exchange(ref _slowDownUntil, _time.GetTimestamp() + (long)(outcome.SlowDown.TotalSeconds * _time.TimestampFrequency));
        }

        lock (_lock)
        {
            switch (outcome.Result)
            {
                case SendResult.Acked:
                    _acked++;
                    if (_failedSends > 0)
                    {
                        UplinkLog.DeliveringAgain(_logger, _time.GetElapsedTime(_failingSince).TotalSeconds, _failedSends);
                        _failedSends = 0;
                    }

                    Acknowledge(batch);
                    if (replayed)
                    {
                        Counters.ReplayedOne();
                    }

                    batch.Release();
                    break;
                case SendResult.Rejected:
                    _deadLettered++;
                    if (!DeadLetter.TryAppend(batch.Key, batch.Payload.Span, out _))
                    {
                        UplinkLog.DeadLetterNotKept(_logger, batch.Key.Seq, DeadLetter.Directory);
                    }

                    Counters.DeadLetteredOne();
                    UplinkLog.DeadLettered(_logger, batch.Key.RobotId, batch.Key.BootId, batch.Key.Seq, outcome.Status.StatusCode, outcome.Status.Detail);
                    Acknowledge(batch);
                    batch.Release();
                    break;
                default:
                    if (replayed)
                    {
                        Spill.Release(batch.Position!.Value);
                        batch.Release();
                    }
                    else
                    {
                        // An outage is one warning, not one per batch: the count is reported when delivery resumes.
                        if (_failedSends++ == 0)
                        {
                            _failingSince = _time.GetTimestamp();
                            UplinkLog.SendFailed(_logger, $"{outcome.Status.StatusCode}: {outcome.Status.Detail}");
                        }

                        KeepForReplay(batch);
                    }

                    break;
            }
        }
    }

    private void Acknowledge(PendingBatch batch)
    {
        if (batch.Position is { } position)
        {
            Spill.Acknowledge(position);
        }
        else
        {
            _memoryOnly--;
        }
    }

    private async Task ReplayLoopAsync(CancellationToken stoppingToken)
    {
        var window = new List<Task<bool>>(ReplayWindow);
        SpillCursor? cursor = null;
        double tokens = 0;
        long last = _time.GetTimestamp();
        long replayedAtStart = Counters.Replayed;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (cursor is null || _reopenCursor)
                {
                    await Task.WhenAll(window).ConfigureAwait(false);
                    window.Clear();
                    cursor?.Dispose();
                    _reopenCursor = false;
                    lock (_lock)
                    {
                        cursor = Spill.OpenCursor();
                    }
                }

                // Token bucket: replay_rate_per_second, with a burst of one window.
                double rate = _options.Uplink.ReplayRatePerSecond;
                tokens = Math.Min(ReplayWindow, tokens + (_time.GetElapsedTime(last).TotalSeconds * rate));
                last = _time.GetTimestamp();
                if (tokens < 1)
                {
                    await Task.Delay(TimeSpan.FromSeconds((1 - tokens) / rate), _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                SpillRecord record;
                bool found;
                lock (_lock)
                {
                    found = NextReplayable(cursor, out record);
                }

                if (!found)
                {
                    await Task.WhenAll(window).ConfigureAwait(false);
                    bool failed = window.Exists(t => !t.Result);
                    window.Clear();
                    if (Counters.Replayed > replayedAtStart && Spill.Statistics.PendingRecords == 0)
                    {
                        UplinkLog.BacklogDrained(_logger, Counters.Replayed - replayedAtStart);
                        replayedAtStart = Counters.Replayed;
                    }

                    await Task.Delay(failed ? _options.Uplink.BreakerBreakDuration / 2 : ReplayIdle, _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                tokens -= 1;
                window.Add(ReplayOneAsync(record));
                if (window.Count >= ReplayWindow)
                {
                    Task<bool> done = await Task.WhenAny(window).ConfigureAwait(false);
                    window.Remove(done);
                    if (!done.Result)
                    {
                        // The upstream is failing: stop, back off, resume from the low-water mark.
                        await Task.WhenAll(window).ConfigureAwait(false);
                        window.Clear();
                        _reopenCursor = true;
                        await Task.Delay(_options.Uplink.BreakerBreakDuration / 2, _time, stoppingToken).ConfigureAwait(false);
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

    /// <summary>The next backlog record no send holds (not a live batch on its way, not a replay in flight); claims it.</summary>
    private bool NextReplayable(SpillCursor cursor, out SpillRecord record)
    {
        while (cursor.TryRead(out record))
        {
            if (!Spill.IsClaimed(record.Position))
            {
                Spill.Claim(record.Position);
                return true;
            }
        }

        return false;
    }

    private async Task<bool> ReplayOneAsync(SpillRecord record)
    {
        var batch = new PendingBatch(record.Key, ReplayPayload.Mark(record.Payload.Span, out byte[] rented), record.Position);
        ReplayPayload.Return(rented);
        try
        {
            SendOutcome outcome = await _sender!.SendAsync(batch.Payload, record.Key.Seq, _sendCancel.Token).ConfigureAwait(false);
            Settle(batch, outcome, replayed: true);
            if (outcome.Result == SendResult.Failed)
            {
                _reopenCursor = true;
                return false;
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                Spill.Release(record.Position);
            }

            batch.Release();
            return false;
        }
    }

    private async Task PaceAsync(CancellationToken stoppingToken)
    {
        long until = Interlocked.Read(ref _slowDownUntil);
        long now = _time.GetTimestamp();
        if (until > now)
        {
            await Task.Delay(TimeSpan.FromSeconds((until - now) / (double)_time.TimestampFrequency), _time, stoppingToken).ConfigureAwait(false);
        }
    }

    private void Track(Task send)
    {
        lock (_sends)
        {
            _sends.RemoveAll(t => t.IsCompleted);
            _sends.Add(send);
        }
    }

    private async Task StopAsync()
    {
        DrainRing(flushPartial: true);

        // What is still queued gets sent within a short grace (a healthy upstream means no disk write at stop);
        // then in-flight sends are cancelled and whatever did not make it is kept for replay.
        long deadline = _time.GetTimestamp() + (long)(StopGrace.TotalSeconds * _time.TimestampFrequency);
        while (_sender is not null && TryDequeue(out PendingBatch? batch))
        {
            TimeSpan left = TimeSpan.FromSeconds((deadline - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
            if (left <= TimeSpan.Zero || !await _inFlight.WaitAsync(left).ConfigureAwait(false))
            {
                lock (_lock)
                {
                    _queue.AddFirst(batch);
                    _queuedBytes += batch.Length;
                }

                break;
            }

            Track(SendLiveAsync(batch));
        }

        Task[] sends;
        lock (_sends)
        {
            sends = [.. _sends];
        }

        Task all = Task.WhenAll(sends);
        TimeSpan remaining = TimeSpan.FromSeconds(Math.Max(0, (deadline - _time.GetTimestamp()) / (double)_time.TimestampFrequency));
        if (await Task.WhenAny(all, Task.Delay(remaining, _time)).ConfigureAwait(false) != all)
        {
            await _sendCancel.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }

        int kept = 0;
        lock (_lock)
        {
            while (_queue.First is { } batch)
            {
                _queue.RemoveFirst();
                _queuedBytes -= batch.Value.Length;
                KeepForReplay(batch.Value);
                kept++;
            }

            _ = Spill.Commit();
            _ = DeadLetter.Commit();
        }

        if (kept > 0)
        {
            UplinkLog.StoppedSpilled(_logger, kept);
        }

        UplinkAccounting ledger = Accounting;
        if (ledger.Balanced)
        {
            UplinkLog.Stopped(_logger, ledger.ToString());
        }
        else
        {
            UplinkLog.AccountingImbalance(_logger, ledger.ToString());
        }
    }
}
