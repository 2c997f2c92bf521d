// Design: a single-writer, many-reader mailbox for small unmanaged structs (a seqlock).
//
// The balance thread hands its latest command to the motor thread here, and the motor thread hands the
// latest base state back the other way. Only the latest value matters, so a queue would be wrong: a reader
// that falls behind must see the newest value, never a backlog.
//
// Fields and who writes them:
//   _sequence  written only by the writer; odd while a write is in progress, even when the value is stable.
//   _value     written only by the writer, between the two increments of _sequence.
// Ordering: the writer bumps _sequence to odd, full fence, writes _value, then publishes the even number with a
// release store (Volatile.Write). The reader reads _sequence with acquire (Volatile.Read), copies _value, then
// full fence and re-reads _sequence: if both reads are equal and even, the copy is not torn.
// Invariants: the writer never waits; a reader retries at most a few times, since a write of a ~100 byte
// struct takes nanoseconds, and gives up after MaxReadAttempts rather than spin on the hot path.
// Nothing here allocates, locks, or throws.
using System.Runtime.CompilerServices;

namespace EdgeAgent.Control;

/// <summary>The latest value of <typeparamref name="T"/>, handed between threads without locks.</summary>
/// <typeparam name="T">A small unmanaged struct.</typeparam>
internal sealed class Mailbox<T>
    where T : unmanaged
{
    private const int MaxReadAttempts = 64;

    private long _sequence;
    private T _value;

    /// <summary>Gets how many values were published.</summary>
    public long Published => Volatile.Read(ref _sequence) >> 1;

    /// <summary>Publishes <paramref name="value"/>. Call from one thread only.</summary>
    /// <param name="value">The new value.</param>
    public void Publish(in T value)
    {
        long start = _sequence;
        Volatile.Write(ref _sequence, start + 1);
        Interlocked.MemoryBarrier();
        _value = value;
        Volatile.Write(ref _sequence, start + 2);
    }

    /// <summary>Reads the latest value.</summary>
    /// <param name="value">The latest value, or default when nothing was published or the read kept colliding with writes.</param>
    /// <returns><see langword="true"/> when a value was published and read untorn.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(out T value)
    {
        for (int attempt = 0; attempt < MaxReadAttempts; attempt++)
        {
            long before = Volatile.Read(ref _sequence);
            if ((before & 1) != 0)
            {
                Thread.SpinWait(1);
                continue;
            }

            value = _value;
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _sequence) == before)
            {
                return before != 0;
            }
        }

        value = default;
        return false;
    }
}
