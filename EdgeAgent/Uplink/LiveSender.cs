namespace EdgeAgent.Uplink;

/// <summary>
/// Sends the ledger's queued batches oldest first, up to <see cref="MaxInFlight"/> at once, through the
/// <see cref="IBatchSender"/>, and settles each in the ledger. In <c>always</c> mode a batch is sent only once
/// its spill record is durable (write-ahead).
/// </summary>
internal sealed class LiveSender : IDisposable
{
    /// <summary>The most live sends in flight at once.</summary>
    public const int MaxInFlight = 16;

    /// <summary>Below this many queued batches live sends go one at a time, so they arrive in seq order.</summary>
    public const int PipelineThreshold = 4;

    private readonly UplinkLedger _ledger;
    private readonly IBatchSender _sender;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _sendCancel;
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight);
    private readonly List<Task> _sends = [];
    private Task _lastLive = Task.CompletedTask;

    /// <summary>Initializes a new instance of the <see cref="LiveSender"/> class.</summary>
    /// <param name="ledger">The queue the batches come from and where their outcomes go.</param>
    /// <param name="sender">The upstream.</param>
    /// <param name="sendCancel">Cancels every send in flight (the stop's grace is over); the batch is kept for replay.</param>
    /// <param name="time">The clock of pacing and the stop deadline.</param>
    public LiveSender(UplinkLedger ledger, IBatchSender sender, CancellationTokenSource sendCancel, TimeProvider time)
    {
        _ledger = ledger;
        _sender = sender;
        _sendCancel = sendCancel;
        _time = time;
    }

    /// <summary>Sends queued batches until <paramref name="stoppingToken"/> is cancelled.</summary>
    /// <param name="stoppingToken">Stops taking new batches (sends in flight go on).</param>
    /// <returns>A task that completes at stop.</returns>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _ledger.WaitAddedAsync(stoppingToken).ConfigureAwait(false);

                // At the nominal rate the queue is short: one send at a time keeps batches in seq order at the
                // receiver. A backlog opens the window (up to MaxInFlight = 16 concurrent calls) for throughput.
                if (_ledger.QueuedCount < PipelineThreshold)
                {
                    await _lastLive.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                await _inFlight.WaitAsync(stoppingToken).ConfigureAwait(false);
                await PaceAsync(stoppingToken).ConfigureAwait(false);
                if (!_ledger.TryDequeue(out PendingBatch? batch))
                {
                    _inFlight.Release();
                    continue;
                }

                _lastLive = SendAsync(batch);
                Track(_lastLive);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// At stop: sends what is still queued and waits for every send in flight, until <paramref name="deadline"/>;
    /// then cancels the sends still running (their batches are kept for replay).
    /// </summary>
    /// <param name="deadline">A timestamp of the clock.</param>
    /// <returns>A task that completes when no send is in flight.</returns>
    public async Task DrainAsync(long deadline)
    {
        while (_ledger.TryDequeue(out PendingBatch? batch))
        {
            TimeSpan left = Left(deadline);
            if (left <= TimeSpan.Zero || !await _inFlight.WaitAsync(left).ConfigureAwait(false))
            {
                _ledger.Requeue(batch);
                break;
            }

            Track(SendAsync(batch));
        }

        Task[] sends;
        lock (_sends)
        {
            sends = [.. _sends];
        }

        Task all = Task.WhenAll(sends);
        TimeSpan remaining = Left(deadline);
        if (await Task.WhenAny(all, Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time)).ConfigureAwait(false) != all)
        {
            await _sendCancel.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _inFlight.Dispose();

    private TimeSpan Left(long deadline) => TimeSpan.FromSeconds((deadline - _time.GetTimestamp()) / (double)_time.TimestampFrequency);

    private async Task SendAsync(PendingBatch batch)
    {
        try
        {
            if (batch.Position is { } durable)
            {
                // Write-ahead: a batch is sent only once it is durable in the spill.
                await _ledger.Spill.WhenDurable(durable).WaitAsync(_sendCancel.Token).ConfigureAwait(false);
            }

            SendOutcome outcome = await _sender.SendAsync(batch.Payload, batch.Key, _sendCancel.Token).ConfigureAwait(false);
            _ledger.Settle(batch, outcome, replayed: false);
        }
        catch (OperationCanceledException)
        {
            _ledger.Cancelled(batch);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task PaceAsync(CancellationToken stoppingToken)
    {
        long until = _ledger.SlowDownUntil;
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
}
