namespace EdgeAgent.Spill;

/// <summary>Where a record starts in the spill: its segment number and byte offset in that segment file.</summary>
/// <param name="Segment">The segment number (segments are numbered from 1, in append order).</param>
/// <param name="Offset">The byte offset of the record within the segment file.</param>
internal readonly record struct SpillPosition(ulong Segment, long Offset) : IComparable<SpillPosition>
{
    /// <summary>Gets the position before every record.</summary>
    public static SpillPosition Start => default;

    public static bool operator <(SpillPosition left, SpillPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(SpillPosition left, SpillPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(SpillPosition left, SpillPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(SpillPosition left, SpillPosition right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public int CompareTo(SpillPosition other)
    {
        int bySegment = Segment.CompareTo(other.Segment);
        return bySegment != 0 ? bySegment : Offset.CompareTo(other.Offset);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Segment}:{Offset}";
}
