using System.Buffers;
using EdgeAgent.Spill;

namespace EdgeAgent.Uplink;

/// <summary>
/// A batch on its way: its key, its serialized bytes (a pooled buffer, returned when the batch is done), and,
/// in <c>always</c> mode or once spilled, its place in the spill.
/// </summary>
internal sealed class PendingBatch
{
    private byte[]? _buffer;

    public PendingBatch(BatchKey key, ReadOnlySpan<byte> payload, SpillPosition? position)
    {
        Key = key;
        _buffer = ArrayPool<byte>.Shared.Rent(payload.Length);
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
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
