using System.Buffers;
using EdgeAgent.Protocol;
using EdgeAgent.Sampling;
using EdgeAgent.Spill;

namespace EdgeAgent.Uplink;

/// <summary>
/// Drains the sample ring into batches of uplink.batch_size samples, encodes each full (or batch_max_age old)
/// batch with the next seq and hands it to the <see cref="UplinkLedger"/>. One caller at a time: the
/// producer loop, then the stop.
/// </summary>
internal sealed class BatchProducer
{
    private readonly ITelemetryQueue<TelemetrySample> _ring;
    private readonly UplinkLedger _ledger;
    private readonly BatchEncoder _encoder;
    private readonly TimeProvider _time;
    private readonly TelemetrySample[] _batch;
    private readonly ArrayBufferWriter<byte> _encoded = new(64 * 1024);
    private readonly string _robotId;
    private readonly string _bootId;
    private readonly TimeSpan _maxAge;
    private int _count;
    private long _started;
    private ulong _nextSeq;
    private TaskCompletionSource<string>? _flush;

    /// <summary>Initializes a new instance of the <see cref="BatchProducer"/> class.</summary>
    /// <param name="ring">The sample ring (its read end).</param>
    /// <param name="ledger">Where the batches go.</param>
    /// <param name="encoder">The batch encoder (robot id, boot id, joint names).</param>
    /// <param name="robotId">The robot id of every batch's key.</param>
    /// <param name="bootId">This run's boot id, of every batch's key.</param>
    /// <param name="batchSize">Samples in a full batch.</param>
    /// <param name="maxAge">The age at which a partial batch is sent anyway.</param>
    /// <param name="time">The clock of batch ages.</param>
    public BatchProducer(ITelemetryQueue<TelemetrySample> ring, UplinkLedger ledger, BatchEncoder encoder, string robotId, string bootId, int batchSize, TimeSpan maxAge, TimeProvider time)
    {
        _ring = ring;
        _ledger = ledger;
        _encoder = encoder;
        _robotId = robotId;
        _bootId = bootId;
        _batch = new TelemetrySample[batchSize];
        _maxAge = maxAge;
        _time = time;
    }

    /// <summary>Drains the ring every <paramref name="period"/> until <paramref name="stoppingToken"/> is cancelled.</summary>
    /// <param name="period">The drain period (a quarter of the batch fill time, 10-100 ms).</param>
    /// <param name="stoppingToken">Stops the loop.</param>
    /// <returns>A task that completes at stop.</returns>
    public async Task RunAsync(TimeSpan period, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                TaskCompletionSource<string>? flush = Interlocked.Exchange(ref _flush, null);
                ulong next = _nextSeq;
                DrainRing(flushPartial: flush is not null);
                flush?.TrySetResult(_nextSeq == next
                    ? "nothing buffered: every sample was already batched"
                    : $"queued for sending: {_nextSeq - next} batch(es), seq {next}..{_nextSeq - 1}, the last one partial");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _flush, null)?.TrySetResult("the agent is stopping: everything buffered is batched and sent or spilled at stop");
        }
    }

    /// <summary>Asks the drain loop to emit the partial batch on its next tick.</summary>
    /// <returns>Completes after that drain with what it did (or is cancelled at stop).</returns>
    public Task<string> RequestFlush()
    {
        var flush = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource<string>? pending = Interlocked.CompareExchange(ref _flush, flush, null);
        return (pending ?? flush).Task;
    }

    /// <summary>Moves samples from the ring into batches; emits every full batch and an old partial one.</summary>
    /// <param name="flushPartial">Emit a partial batch now (at stop).</param>
    public void DrainRing(bool flushPartial)
    {
        // Read straight into the batch's slot: a sample is ~600 bytes, and a copy through a local would move
        // every batch's 60 KB twice.
        while (_ring.TryRead(out _batch[_count]))
        {
            if (_count == 0)
            {
                _started = _time.GetTimestamp();
            }

            if (++_count == _batch.Length)
            {
                Emit();
            }
        }

        if (_count > 0 && (flushPartial || _time.GetElapsedTime(_started) >= _maxAge))
        {
            Emit();
        }
    }

    private void Emit()
    {
        ulong seq = _nextSeq++;
        _encoded.ResetWrittenCount();
        _encoder.Encode(seq, _batch.AsSpan(0, _count), replay: false, _encoded);
        _count = 0;
        _ledger.Add(new BatchKey(_robotId, _bootId, seq), _encoded.WrittenSpan);
    }
}
