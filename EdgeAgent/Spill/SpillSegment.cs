using System.Runtime.InteropServices;

namespace EdgeAgent.Spill;

/// <summary>The in-memory index of one segment file: where its intact records are and which are settled.</summary>
internal sealed class SpillSegment(ulong number, string path, List<SpillRecordSlot> records, long length)
{
    public ulong Number { get; } = number;

    public string Path { get; } = path;

    public List<SpillRecordSlot> Records { get; } = records;

    /// <summary>Gets or sets the file's bytes, including appended bytes not yet written (active segment).</summary>
    public long Length { get; set; } = length;

    /// <summary>Gets or sets the records acknowledged or found dead.</summary>
    public int Settled { get; set; }

    public int Pending => Records.Count - Settled;

    /// <summary>Finds the record starting at <paramref name="offset"/>.</summary>
    /// <returns>Its index, or -1.</returns>
    public int IndexOf(long offset)
    {
        ReadOnlySpan<SpillRecordSlot> slots = CollectionsMarshal.AsSpan(Records);
        int lo = 0;
        int hi = slots.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            long at = slots[mid].Offset;
            if (at == offset)
            {
                return mid;
            }

            if (at < offset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>Settles a pending record.</summary>
    /// <returns><see langword="true"/> when it was pending.</returns>
    public bool Settle(int index, SpillSlotState state)
    {
        ref SpillRecordSlot slot = ref CollectionsMarshal.AsSpan(Records)[index];
        if (slot.State != SpillSlotState.Pending)
        {
            return false;
        }

        slot.State = state;
        Settled++;
        return true;
    }
}
