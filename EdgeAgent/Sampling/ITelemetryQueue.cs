namespace EdgeAgent.Sampling;

/// <summary>
/// A bounded queue between one producer thread (the motor loop) and one consumer thread (the uplink) that
/// never makes the producer wait: when it is full, a write drops the oldest item and counts it.
/// </summary>
/// <remarks>
/// Items come out in write order. Every written item is either read exactly once or counted in
/// <see cref="Dropped"/> exactly once, so when neither thread is inside a call
/// <c>Written == ReadCount + Dropped + Count</c>. <see cref="TryWrite"/> is called from one thread only and
/// <see cref="TryRead"/> from one thread only; the counters may be read from any thread.
/// </remarks>
/// <typeparam name="T">The item type, stored inline.</typeparam>
internal interface ITelemetryQueue<T>
    where T : unmanaged
{
    /// <summary>Gets how many items the queue holds when full.</summary>
    int Capacity { get; }

    /// <summary>Gets how many items were written (including those dropped later).</summary>
    long Written { get; }

    /// <summary>Gets how many items were read.</summary>
    long ReadCount { get; }

    /// <summary>Gets how many written items were dropped, unread, to make room for newer ones.</summary>
    long Dropped { get; }

    /// <summary>Gets about how many items are waiting (exact when neither thread is inside a call).</summary>
    int Count { get; }

    /// <summary>
    /// Writes <paramref name="item"/>. Never blocks, allocates or throws; when the queue is full, the oldest
    /// item is dropped and counted in <see cref="Dropped"/> first. Producer thread only.
    /// </summary>
    /// <param name="item">The item to copy into the queue.</param>
    /// <returns><see langword="true"/> when the item was stored (a drop-oldest queue always stores it).</returns>
    bool TryWrite(in T item);

    /// <summary>Reads the oldest item. Never blocks, allocates or throws. Consumer thread only.</summary>
    /// <param name="item">The oldest item, or default when the queue is empty.</param>
    /// <returns><see langword="true"/> when an item was read.</returns>
    bool TryRead(out T item);
}
