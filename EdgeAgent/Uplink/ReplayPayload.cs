using System.Buffers;
using EdgeAgent.Protocol.Protos;

namespace EdgeAgent.Uplink;

/// <summary>
/// Marks a stored batch as replayed without parsing it: protobuf merges a repeated scalar field by taking
/// the last value, so appending the encoded field <c>replay = true</c> to the serialized TelemetryBatch
/// sets it. The spill keeps the bytes as they were first sent.
/// </summary>
internal static class ReplayPayload
{
    // Field 7, wire type 0 (varint), value 1.
    private static readonly byte[] ReplayTrue = [(byte)(TelemetryBatch.ReplayFieldNumber << 3), 1];

    /// <summary>Copies <paramref name="payload"/> with <c>replay = true</c> appended into a pooled buffer.</summary>
    /// <param name="payload">A serialized TelemetryBatch.</param>
    /// <param name="rented">The pooled buffer to give back with <see cref="Return"/>.</param>
    /// <returns>The marked bytes (a view of <paramref name="rented"/>).</returns>
    public static ReadOnlySpan<byte> Mark(ReadOnlySpan<byte> payload, out byte[] rented)
    {
        rented = ArrayPool<byte>.Shared.Rent(payload.Length + ReplayTrue.Length);
        payload.CopyTo(rented);
        ReplayTrue.CopyTo(rented.AsSpan(payload.Length));
        return rented.AsSpan(0, payload.Length + ReplayTrue.Length);
    }

    /// <summary>Gives back a buffer from <see cref="Mark"/>.</summary>
    /// <param name="rented">The buffer.</param>
    public static void Return(byte[] rented) => ArrayPool<byte>.Shared.Return(rented);
}
