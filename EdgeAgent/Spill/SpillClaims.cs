namespace EdgeAgent.Spill;

/// <summary>
/// The records a send holds in memory (a live batch in <c>always</c> mode, or a replay in flight). When the quota
/// deletes a claimed record's segment the record becomes an orphan: it is not counted dropped until its send
/// ends, acknowledged (delivered after all) or released (lost). Not thread-safe: callers hold the spill's gate.
/// </summary>
internal sealed class SpillClaims
{
    private readonly HashSet<SpillPosition> _claimed = [];
    private readonly HashSet<SpillPosition> _orphans = [];

    /// <summary>Gets the orphans: claimed records whose segment the quota deleted, held only in memory now.</summary>
    public int Orphaned => _orphans.Count;

    /// <summary>Gets the orphans whose send ended without delivery (released, or still open at close).</summary>
    public long Lost { get; private set; }

    /// <summary>Claims a record.</summary>
    /// <param name="position">The record.</param>
    public void Claim(SpillPosition position) => _claimed.Add(position);

    /// <summary>Gets a value indicating whether a send holds the record.</summary>
    /// <param name="position">The record.</param>
    /// <returns><see langword="true"/> when claimed (or an orphan).</returns>
    public bool IsClaimed(SpillPosition position) => _claimed.Contains(position) || _orphans.Contains(position);

    /// <summary>Ends a claim with delivery.</summary>
    /// <param name="position">The record.</param>
    /// <returns><see langword="true"/> when it was an orphan (its segment is gone; the caller counts the delivery itself).</returns>
    public bool Delivered(SpillPosition position)
    {
        _claimed.Remove(position);
        return _orphans.Remove(position);
    }

    /// <summary>Ends a claim without delivery: an orphan is lost now.</summary>
    /// <param name="position">The record.</param>
    public void Release(SpillPosition position)
    {
        _claimed.Remove(position);
        if (_orphans.Remove(position))
        {
            Lost++;
        }
    }

    /// <summary>Makes a claimed record whose segment the quota is deleting an orphan.</summary>
    /// <param name="position">The record.</param>
    /// <returns><see langword="true"/> when it was claimed (not dropped yet); <see langword="false"/> when it is dropped now.</returns>
    public bool Orphan(SpillPosition position)
    {
        if (!_claimed.Remove(position))
        {
            return false;
        }

        _orphans.Add(position);
        return true;
    }

    /// <summary>Ends every claim at close: orphans never settled are lost.</summary>
    public void Close()
    {
        Lost += _orphans.Count;
        _orphans.Clear();
        _claimed.Clear();
    }
}
