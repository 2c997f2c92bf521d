using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

/// <summary>
/// Keeps the spill under QuotaBytes: before an append would pass it, the oldest segment is deleted and its
/// pending records counted dropped (claimed ones become orphans, see <see cref="SpillClaims"/>); when the oldest
/// is the active segment it is rolled first. Not thread-safe: callers hold the spill's gate.
/// </summary>
/// <param name="options">The spill options.</param>
/// <param name="index">The index.</param>
/// <param name="claims">The claims.</param>
/// <param name="writer">The writer (to roll the active segment).</param>
/// <param name="logger">The logger.</param>
internal sealed class SpillQuota(SpillOptions options, SpillIndex index, SpillClaims claims, SpillWriter writer, ILogger logger)
{
    /// <summary>Gets the unacknowledged, unclaimed records deleted.</summary>
    public long DroppedBatches { get; private set; }

    /// <summary>Gets the segments deleted.</summary>
    public long DroppedSegments { get; private set; }

    /// <summary>Gets a value indicating whether <paramref name="recordLength"/> more bytes would pass the quota.</summary>
    /// <param name="recordLength">The record's bytes.</param>
    /// <returns><see langword="true"/> when room must be made.</returns>
    public bool IsFull(int recordLength) => index.DiskBytes + recordLength > options.QuotaBytes;

    /// <summary>Deletes oldest segments until <paramref name="recordLength"/> more bytes fit in the quota.</summary>
    /// <param name="recordLength">The record's bytes.</param>
    public void MakeRoom(int recordLength)
    {
        while (IsFull(recordLength) && index.Segments.Count > 0)
        {
            SpillSegment oldest = index.Segments[0];
            if (index.LastIsActive && index.Segments.Count == 1)
            {
                if (oldest.Records.Count == 0)
                {
                    return; // one record larger than the quota: it is kept rather than lost
                }

                writer.Roll();
                continue;
            }

            int dropped = 0;
            foreach (SpillRecordSlot slot in oldest.Records)
            {
                if (slot.State == SpillSlotState.Pending && !claims.Orphan(new SpillPosition(oldest.Number, slot.Offset)))
                {
                    dropped++; // an orphan is on its way instead: counted when its send ends
                }
            }

            DroppedBatches += dropped;
            DroppedSegments++;
            SpillLogMessages.SegmentDropped(logger, options.QuotaBytes, oldest.Number, dropped, oldest.Length);
            index.DropOldest();
        }
    }
}
