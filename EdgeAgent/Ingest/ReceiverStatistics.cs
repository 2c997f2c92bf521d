using EdgeAgent.Protocol.Protos;

namespace EdgeAgent.Ingest;

/// <summary>Counts of one robot at the receiver.</summary>
/// <param name="RobotId">The robot.</param>
/// <param name="Received">Batches received and answered ACCEPTED or DUPLICATE.</param>
/// <param name="Batches">Unique batches stored.</param>
/// <param name="Duplicates">Batches received again (answered DUPLICATE, not stored).</param>
/// <param name="Gaps">Missing seqs: per boot, the seqs from 0 to the highest seen that never arrived.</param>
/// <param name="Samples">Samples in the unique batches.</param>
/// <param name="Boots">Boots seen.</param>
internal readonly record struct RobotStatistics(string RobotId, long Received, long Batches, long Duplicates, long Gaps, long Samples, int Boots);

/// <summary>
/// The receiver's de-duplication ledger and its per-robot counts, readable live with <see cref="Snapshot"/>.
/// Remembers every key (robot, boot, seq) in memory: in-order seqs cost nothing (a contiguous watermark per
/// boot); only seqs above a gap are held one by one. Thread-safe.
/// </summary>
internal sealed class ReceiverStatistics
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RobotLedger> _robots = new(StringComparer.Ordinal);

    /// <summary>Counts of every robot seen, ordered by robot id.</summary>
    /// <returns>A copy.</returns>
    public IReadOnlyList<RobotStatistics> Snapshot()
    {
        lock (_gate)
        {
            return _robots.Values.Select(r => r.ToStatistics()).OrderBy(r => r.RobotId, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Counts of one robot (all zero when it was never seen).</summary>
    /// <param name="robotId">The robot.</param>
    /// <returns>A copy.</returns>
    public RobotStatistics ForRobot(string robotId)
    {
        lock (_gate)
        {
            return _robots.TryGetValue(robotId, out RobotLedger? ledger) ? ledger.ToStatistics() : new RobotStatistics(robotId, 0, 0, 0, 0, 0, 0);
        }
    }

    /// <summary>
    /// Records a valid batch: a new key is stored (<paramref name="store"/>, then remembered, so a failed store
    /// leaves the key unseen for the retry) and counted; a known key is counted as a duplicate.
    /// </summary>
    internal BatchAck.Types.Status Record(string robotId, string bootId, ulong seq, uint samples, JsonLinesSink? store, string? line)
    {
        lock (_gate)
        {
            SeqSet seqs = Seqs(robotId, bootId, out RobotLedger robot);

            if (seqs.Contains(seq))
            {
                robot.Duplicates++;
                return BatchAck.Types.Status.Duplicate;
            }

            if (line is not null)
            {
                store?.Append(line);
            }

            seqs.Add(seq);
            robot.Batches++;
            robot.Samples += samples;
            return BatchAck.Types.Status.Accepted;
        }
    }

    /// <summary>
    /// Counts a batch whose outcome a shared store decided (<see cref="PostgresBatchStore"/>): this receiver's view
    /// of the robot (what it received, stored and answered DUPLICATE, and the gaps in what it saw).
    /// </summary>
    internal void Observe(string robotId, string bootId, ulong seq, uint samples, BatchAck.Types.Status status)
    {
        lock (_gate)
        {
            SeqSet seqs = Seqs(robotId, bootId, out RobotLedger robot);

            if (!seqs.Contains(seq))
            {
                seqs.Add(seq);
            }

            if (status == BatchAck.Types.Status.Accepted)
            {
                robot.Batches++;
                robot.Samples += samples;
            }
            else
            {
                robot.Duplicates++;
            }
        }
    }

    // Callers hold _gate.
    private SeqSet Seqs(string robotId, string bootId, out RobotLedger robot)
    {
        if (!_robots.TryGetValue(robotId, out RobotLedger? found))
        {
            found = new RobotLedger(robotId);
            _robots.Add(robotId, found);
        }

        robot = found;
        if (!robot.Boots.TryGetValue(bootId, out SeqSet? seqs))
        {
            seqs = new SeqSet();
            robot.Boots.Add(bootId, seqs);
        }

        return seqs;
    }

    private sealed class RobotLedger(string robotId)
    {
        public Dictionary<string, SeqSet> Boots { get; } = new(StringComparer.Ordinal);

        public long Batches { get; set; }

        public long Duplicates { get; set; }

        public long Samples { get; set; }

        public RobotStatistics ToStatistics() =>
            new(robotId, Batches + Duplicates, Batches, Duplicates, (long)Boots.Values.Aggregate(0UL, (sum, s) => sum + s.Missing), Samples, Boots.Count);
    }

    /// <summary>The seqs of one boot: every seq below <c>_contiguous</c>, plus the ones in <c>_above</c>.</summary>
    private sealed class SeqSet
    {
        private readonly HashSet<ulong> _above = [];
        private ulong _contiguous;
        private ulong _max;
        private bool _any;

        public ulong Missing => _any ? _max + 1 - _contiguous - (ulong)_above.Count : 0;

        public bool Contains(ulong seq) => seq < _contiguous || _above.Contains(seq);

        public void Add(ulong seq)
        {
            _max = _any ? Math.Max(_max, seq) : seq;
            _any = true;
            if (seq != _contiguous)
            {
                _above.Add(seq);
                return;
            }

            _contiguous++;
            while (_above.Count > 0 && _above.Remove(_contiguous))
            {
                _contiguous++;
            }
        }
    }
}
