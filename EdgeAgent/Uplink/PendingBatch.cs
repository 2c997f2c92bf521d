using System.Buffers;
using EdgeAgent.Spill;

namespace EdgeAgent.Uplink;

/// <summary>
/// A batch on its way: its key, its serialized bytes (a pooled buffer, returned when the batch is done), and,
/// in <c>always</c> mode or once spilled, its place in the spill.
/// </summary>
internal sealed class PendingBatch
{
    /// <summary>
    /// The batches' own pool: rented by the producer thread, returned by whichever thread settles the send.
    /// The shared pool keeps few arrays of one size per core and dropped the returns of that one-way flow
    /// (measured: 21 KB of new arrays per 25 KB batch flat out). 256 per size holds the default memory queue
    /// (8 MiB) of 12-joint batches; arrays are made on demand, so a robot that never queues holds a few.
    /// </summary>
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(EdgeAgent.Protocol.BatchLimits.MaxMessageBytes, 256);

    private byte[]? _buffer;

    public PendingBatch(BatchKey key, ReadOnlySpan<byte> payload, SpillPosition? position)
    {
        Key = key;
        _buffer = Buffers.Rent(payload.Length);
        payload.CopyTo(_buffer);
        Length = payload.Length;
        Position = position;
    }

    public BatchKey Key { get; }

    public int Length { get; }

    /// <summary>Gets or sets the batch's record in the spill, when it has one.</summary>
    public SpillPosition? Position { get; set; }

    public ReadOnlyMemory<byte> Payload => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Length);

    /// <summary>Returns the buffer to the pool; the batch must not be used afterwards.</summary>
    public void Release()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            Buffers.Return(buffer);
        }
    }
}
