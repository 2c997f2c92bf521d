namespace EdgeAgent.Uplink;

/// <summary>The uplink's counters, exact, readable from any thread (status, summary, tests).</summary>
internal sealed class UplinkCounters
{
    private long _batchesBuilt;
    private long _batchesSent;
    private long _batchesAcked;
    private long _duplicatesAcked;
    private long _spilled;
    private long _replayed;
    private long _deadLettered;
    private long _sendFailures;
    private long _breakerOpened;
    private long _breakerClosed;
    private long _retries;
    private long _lastRttMicros = -1;

    public long BatchesBuilt => Volatile.Read(ref _batchesBuilt);

    /// <summary>Gets the send attempts that reached the upstream (live and replay, first attempts only).</summary>
    public long BatchesSent => Volatile.Read(ref _batchesSent);

    /// <summary>Gets the batches the upstream acknowledged (accepted or duplicate).</summary>
    public long BatchesAcked => Volatile.Read(ref _batchesAcked);

    /// <summary>Gets the acknowledgements that said the upstream already had the batch.</summary>
    public long DuplicatesAcked => Volatile.Read(ref _duplicatesAcked);

    /// <summary>Gets the batches written to the spill because they could not be sent (on-failure and flight-recorder modes).</summary>
    public long Spilled => Volatile.Read(ref _spilled);

    /// <summary>Gets the backlog batches acknowledged after a replay.</summary>
    public long Replayed => Volatile.Read(ref _replayed);

    public long DeadLettered => Volatile.Read(ref _deadLettered);

    public long SendFailures => Volatile.Read(ref _sendFailures);

    public long BreakerOpened => Volatile.Read(ref _breakerOpened);

    public long BreakerClosed => Volatile.Read(ref _breakerClosed);

    public long Retries => Volatile.Read(ref _retries);

    /// <summary>Gets the last acknowledged round trip (ms), or -1 before the first.</summary>
    public double LastRttMs => Volatile.Read(ref _lastRttMicros) / 1000.0;

    internal void Built() => Interlocked.Increment(ref _batchesBuilt);

    internal void Sent() => Interlocked.Increment(ref _batchesSent);

    internal void Acked(bool duplicate, TimeSpan rtt)
    {
        Interlocked.Increment(ref _batchesAcked);
        if (duplicate)
        {
            Interlocked.Increment(ref _duplicatesAcked);
        }

        Volatile.Write(ref _lastRttMicros, (long)rtt.TotalMicroseconds);
    }

    internal void SpilledOne() => Interlocked.Increment(ref _spilled);

    internal void ReplayedOne() => Interlocked.Increment(ref _replayed);

    internal void DeadLetteredOne() => Interlocked.Increment(ref _deadLettered);

    internal void Failed() => Interlocked.Increment(ref _sendFailures);

    internal void Opened() => Interlocked.Increment(ref _breakerOpened);

    internal void Closed() => Interlocked.Increment(ref _breakerClosed);

    internal void Retried() => Interlocked.Increment(ref _retries);
}
