using Microsoft.Win32.SafeHandles;

namespace EdgeAgent.Spill;

/// <summary>
/// Reads the spill's committed, unacknowledged records oldest first, from the low-water mark at the time it
/// was opened. It survives segment rolls and quota drops (a dropped segment is skipped). One thread at a time.
/// </summary>
internal sealed class SpillCursor : IDisposable
{
    private readonly Lock _gate;
    private readonly SpillIndex _index;
    private SafeFileHandle? _handle;
    private ulong _handleSegment;
    private byte[] _buffer = new byte[64 << 10];
    private byte[] _robotUtf8 = [];
    private byte[] _bootUtf8 = [];
    private string _robotId = string.Empty;
    private string _bootId = string.Empty;
    private ulong _segment;
    private int _next;

    /// <summary>Initializes a new instance of the <see cref="SpillCursor"/> class at the index's mark.</summary>
    /// <param name="gate">The spill's gate, held while the cursor walks the index and reads.</param>
    /// <param name="index">The index.</param>
    internal SpillCursor(Lock gate, SpillIndex index)
    {
        _gate = gate;
        _index = index;
        (_segment, _next) = index.MarkSlot;
    }

    /// <summary>Reads the next record; its payload is valid until the next read.</summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="false"/> when no committed, unacknowledged record is left (more may come later).</returns>
    /// <exception cref="ObjectDisposedException">The spill log is closed.</exception>
    public bool TryRead(out SpillRecord record)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_index.IsClosed, typeof(SpillLog));
            while (_index.TryNextPending(ref _segment, ref _next, out SpillSegment segment, out int slotIndex))
            {
                SpillDecodeStatus status = Load(segment, segment.Records[slotIndex], out record);
                if (status == SpillDecodeStatus.Ok)
                {
                    return true;
                }

                _index.SettleCorrupt(segment, slotIndex, status);
            }

            record = default;
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
    }

    /// <summary>Reads and verifies one record.</summary>
    private SpillDecodeStatus Load(SpillSegment segment, SpillRecordSlot slot, out SpillRecord record)
    {
        record = default;
        int read;
        try
        {
            if (_handle is null || _handleSegment != segment.Number)
            {
                _handle?.Dispose();
                _handle = null;
                _handle = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                _handleSegment = segment.Number;
            }

            if (_buffer.Length < slot.Length)
            {
                _buffer = new byte[Math.Max(slot.Length, _buffer.Length * 2)];
            }

            read = 0;
            while (read < slot.Length)
            {
                int n = RandomAccess.Read(_handle, _buffer.AsSpan(read, slot.Length - read), slot.Offset + read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return SpillDecodeStatus.Truncated;
        }

        SpillDecodeStatus status = SpillRecordCodec.ReadRecord(_buffer.AsSpan(0, read), out SpillRecordView view);
        if (status != SpillDecodeStatus.Ok)
        {
            return status;
        }

        if (view.Length != slot.Length)
        {
            return SpillDecodeStatus.BadLength;
        }

        if (!view.RobotId.SequenceEqual(_robotUtf8))
        {
            _robotUtf8 = view.RobotId.ToArray();
            _robotId = SpillRecordCodec.DecodeId(view.RobotId);
        }

        if (!view.BootId.SequenceEqual(_bootUtf8))
        {
            _bootUtf8 = view.BootId.ToArray();
            _bootId = SpillRecordCodec.DecodeId(view.BootId);
        }

        int payloadLength = view.Payload.Length;
        record = new SpillRecord(
            new SpillPosition(segment.Number, slot.Offset),
            new BatchKey(_robotId, _bootId, view.Seq),
            _buffer.AsMemory(slot.Length - payloadLength, payloadLength));
        return SpillDecodeStatus.Ok;
    }
}
