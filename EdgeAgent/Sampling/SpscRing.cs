// Design: a bounded single-producer/single-consumer ring that drops the oldest item when full, without the
// producer ever waiting (ARCHITECTURE.md: "the control loops never wait on telemetry").
//
// Positions are 64-bit and only grow (no wrap, no ABA: 2^63 items at 1 MHz is 292,000 years); the slot of
// position p is p & mask. Head = next position to write; Tail = oldest position not yet read or dropped.
// Invariant: 0 <= Head - Tail <= Capacity; Count = Head - Tail; Written = Head; Tail = ReadCount + Dropped.
//
// Fields and who writes them (PaddedRingIndices keeps the producer's and the consumer's fields on separate
// 128-byte lines: no false sharing on x86 with adjacent-line prefetch, nor on 128-byte-line ARM64 cores):
//   Head        producer only (plain read by itself, release store to publish; consumer reads with acquire).
//   CachedTail  producer only, private: a lower bound of Tail, refreshed only when the ring looks full.
//   Dropped     producer only (release store); anyone reads it with acquire.
//   Tail        consumer AND producer, only ever by CompareExchange(t -> t + 1): whoever wins the CAS for
//               position t owns t; the consumer to return it, the producer to drop it.
//   CachedHead  consumer only, private: a lower bound of Head, refreshed only when the ring looks empty.
//   ReadCount   consumer only (release store); anyone reads it with acquire.
//
// Why CAS on Tail and not per-slot sequence numbers (seqlock per slot): the producer's fast path stays the
// classic SPSC one (a plain slot copy plus one release store: no fence, no read-modify-write, no shared line
// touched unless the ring looks full), the counts are exact by construction (one CAS winner per position,
// and the winner counts it), and no sequence array doubles the memory traffic. The price is one CAS per
// read on the consumer, which is the uplink thread, not a real-time one. A seqlock per slot would put a full
// fence on every producer write (the "write in progress" mark must be ordered before the payload stores).
//
// Write (producer), position h = Head:
//   fast path: h - CachedTail < Capacity means slot h & mask held position h - Capacity < CachedTail <= Tail,
//     which the consumer finished with before it moved Tail past it: copy the item in, Volatile.Write(Head, h+1).
//   MakeRoomSlow: re-read Tail (acquire). Still full (Tail == h - Capacity): CAS Tail t -> t+1. Won: position t
//     is dropped, Dropped++. Lost: only the consumer moves Tail, so it took t and the ring is no longer full.
//     At most one CAS, never a loop: the producer is wait-free.
// Read (consumer), t = Tail (acquire, since the producer may have moved it):
//   t >= CachedHead: re-read Head (acquire); still equal means empty. Otherwise copy slot t & mask out, then
//   CAS Tail t -> t+1. Won: the copy is good, ReadCount++. Lost: the producer dropped t (and counted it) and may
//   have been overwriting the slot during the copy: discard the copy and retry with the new Tail.
//
// Memory ordering (the .NET model: Volatile.Read = acquire, Volatile.Write = release, Interlocked = full fence;
// on ARM64 these are ldar / stlr / casal, so nothing here relies on x86 ordering):
// - Producer publishes: slot stores, then release store of Head. Consumer: acquire load of Head, then slot
//   loads. So a consumer that sees Head > t sees the whole item t.
// - Consumer releases a slot: its slot loads precede its CAS (full fence). The producer learns of it only
//   through an acquire load or a CAS of Tail that reads the consumer's value, and only then stores into the
//   slot. So a slot is never overwritten under a copy that the consumer keeps.
// - The producer overwrites a slot only after winning the CAS for the position in it; the consumer's CAS for
//   that position then fails, so a torn copy is always discarded.
// Exact counts: Tail moves from t to t+1 exactly once per t, by exactly one CAS winner, which increments
// exactly one of ReadCount / Dropped. Hence Tail = ReadCount + Dropped and, quiescent,
// Written = ReadCount + Dropped + Count.
// Nothing here allocates after construction, locks, or throws; 64-bit targets only (atomic long loads).
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeAgent.Sampling;

/// <summary>
/// A preallocated, lock-free, drop-oldest ring between one producer and one consumer thread.
/// </summary>
/// <typeparam name="T">The item type, stored inline in a preallocated array.</typeparam>
internal sealed class SpscRing<T> : ITelemetryQueue<T>
    where T : unmanaged
{
    /// <summary>The largest capacity accepted.</summary>
    public const int MaxCapacity = 1 << 30;

    private readonly T[] _buffer;
    private readonly long _mask;
    private readonly int _capacity;
    private PaddedRingIndices _indices;

    /// <summary>Initializes a new instance of the <see cref="SpscRing{T}"/> class.</summary>
    /// <param name="capacity">How many items the ring holds: a power of two, 1 to 2^30.</param>
    /// <exception cref="ArgumentException"><paramref name="capacity"/> is not a power of two in range.</exception>
    public SpscRing(int capacity)
    {
        if (capacity < 1 || capacity > MaxCapacity || !BitOperations.IsPow2(capacity))
        {
            throw new ArgumentException(
                $"The ring capacity must be a power of two from 1 to {MaxCapacity} (for example 1024); it was {capacity}.",
                nameof(capacity));
        }

        _capacity = capacity;
        _mask = capacity - 1;
        _buffer = new T[capacity];
        Prefault(_buffer);
    }

    // A large array comes from fresh, untouched pages: without this the producer (the motor loop) takes a page
    // fault on every new page during the ring's first lap (a 4096-sample ring at 100 Hz: 15 faults a second for
    // 41 s, each 10-20 µs on a VM; they were the motor tick's compute p99). One write per page makes them
    // resident now (and locked, under mlockall) instead. A read would map the shared zero page and fault again
    // on the first write.
    private static void Prefault(T[] buffer)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(buffer.AsSpan());
        int page = Environment.SystemPageSize;
        for (int i = 0; i < bytes.Length; i += page)
        {
            Volatile.Write(ref bytes[i], 0);
        }
    }

    /// <inheritdoc/>
    public int Capacity => _capacity;

    /// <inheritdoc/>
    public long Written => Volatile.Read(ref _indices.Head);

    /// <inheritdoc/>
    public long ReadCount => Volatile.Read(ref _indices.ReadCount);

    /// <inheritdoc/>
    public long Dropped => Volatile.Read(ref _indices.Dropped);

    /// <inheritdoc/>
    public int Count
    {
        get
        {
            long tail = Volatile.Read(ref _indices.Tail);
            long count = Volatile.Read(ref _indices.Head) - tail;
            return (int)Math.Clamp(count, 0, _capacity);
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite(in T item)
    {
        long head = _indices.Head;

        // Fast path: the slot's previous item was read or dropped before CachedTail was observed.
        if (head - _indices.CachedTail >= _capacity)
        {
            MakeRoomSlow(head);
        }

        Slot(head) = item;
        Volatile.Write(ref _indices.Head, head + 1);
        return true;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(out T item)
    {
        // Fast path: an item the consumer already knows was published, and the producer did not drop it.
        long tail = Volatile.Read(ref _indices.Tail);
        if (tail < _indices.CachedHead)
        {
            item = Slot(tail);
            if (Interlocked.CompareExchange(ref _indices.Tail, tail + 1, tail) == tail)
            {
                Volatile.Write(ref _indices.ReadCount, _indices.ReadCount + 1);
                return true;
            }
        }

        return TryReadSlow(out item);
    }

    private bool TryReadSlow(out T item)
    {
        while (true)
        {
            long tail = Volatile.Read(ref _indices.Tail);
            if (tail >= _indices.CachedHead)
            {
                _indices.CachedHead = Volatile.Read(ref _indices.Head);
                if (tail >= _indices.CachedHead)
                {
                    item = default;
                    return false;
                }
            }

            item = Slot(tail);
            if (Interlocked.CompareExchange(ref _indices.Tail, tail + 1, tail) == tail)
            {
                Volatile.Write(ref _indices.ReadCount, _indices.ReadCount + 1);
                return true;
            }

            // Lost the race: the producer dropped this position (and counted it); the copy may be torn.
        }
    }

    private void MakeRoomSlow(long head)
    {
        long tail = Volatile.Read(ref _indices.Tail);
        if (head - tail >= _capacity)
        {
            // Full: tail == head - capacity. Drop it unless the consumer takes it first.
            long seen = Interlocked.CompareExchange(ref _indices.Tail, tail + 1, tail);
            if (seen == tail)
            {
                Volatile.Write(ref _indices.Dropped, _indices.Dropped + 1);
                tail++;
            }
            else
            {
                tail = seen;
            }
        }

        _indices.CachedTail = tail;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref T Slot(long position) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), (nint)(position & _mask));
}

/// <summary>
/// The indices of a <see cref="SpscRing{T}"/>: the producer's and the consumer's fields each on its own 128-byte
/// line, padded on both sides (outside the generic class: the runtime refuses explicit layout on generic types).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 3 * CacheLine)]
internal struct PaddedRingIndices
{
    [FieldOffset(CacheLine)]
    public long Head;

    [FieldOffset(CacheLine + 8)]
    public long CachedTail;

    [FieldOffset(CacheLine + 16)]
    public long Dropped;

    [FieldOffset(2 * CacheLine)]
    public long Tail;

    [FieldOffset((2 * CacheLine) + 8)]
    public long CachedHead;

    [FieldOffset((2 * CacheLine) + 16)]
    public long ReadCount;

    private const int CacheLine = 128;
}
