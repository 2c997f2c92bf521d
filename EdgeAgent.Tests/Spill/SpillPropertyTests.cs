using EdgeAgent.Configuration;
using EdgeAgent.Spill;

namespace EdgeAgent.Tests.Spill;

/// <summary>
/// Seeded random histories against the real spill (real files, small segments so it rolls often, a small quota
/// so it drops): appends, commits, timer commits, replays that claim, acknowledge out of order and release,
/// live acknowledgements (always mode), clean restarts and crashes (kill -9: the files closed unflushed). After
/// every step the spill's own ledger balances; after every reopen a model of what must be there agrees with
/// what is read back: nothing lost that was durable, nothing acknowledged before a clean stop (or before a
/// commit that returned) handed out again, every missing record counted as dropped.
/// </summary>
public sealed class SpillPropertyTests : SpillTestBase
{
    private const int Steps = 1500;

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(20261206)]
    [TestCase(424242)]
    public void RandomHistory_LedgerBalancesAndAcknowledgedIsNeverResent(int seed)
    {
        var history = new History(this, seed);
        for (int step = 0; step < Steps; step++)
        {
            history.Step(step);
        }

        history.Restart(step: Steps, crash: false);
        history.Dispose();

        // The histories must have exercised what they claim to (or the test proves nothing).
        Assert.Multiple(() =>
        {
            Assert.That(history.CleanRestarts, Is.GreaterThan(10), "clean restarts");
            Assert.That(history.Crashes, Is.GreaterThan(10), "crashes");
            Assert.That(history.DroppedByQuota, Is.GreaterThan(0), "records dropped by the quota");
            Assert.That(history.AckedOutOfOrderBeforeCleanStop, Is.GreaterThan(0), "records acknowledged beyond the mark, then a clean stop");
            Assert.That(history.Acked, Is.GreaterThan(Steps / 4), "records acknowledged");
        });
    }

    [Test]
    public void CleanRestart_AcknowledgedOutOfOrder_NotResent()
    {
        using (SpillLog log = Open(Options(segmentBytes: 16 << 10)))
        {
            List<SpillPosition> positions = AppendMany(log, 30);
            Assert.That(log.Commit(), Is.True);
            foreach (int i in new[] { 1, 2, 5, 6, 7, 12, 20, 21, 22, 23, 24, 29 })
            {
                log.Acknowledge(positions[i]); // seq 0 stays pending: every one of these is beyond the mark
            }
        }

        using SpillLog reopened = Open(Options(segmentBytes: 16 << 10));

        Assert.That(ReadSeqs(reopened), Is.EqualTo(new[] { 0, 3, 4, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 25, 26, 27, 28 }));
        Assert.That(reopened.Recovery.PendingRecords, Is.EqualTo(18));
    }

    [Test]
    public void AckFile_Version1_StillRead()
    {
        byte[] v1 = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(v1, 0x4B434145);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(v1.AsSpan(4), 1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(v1.AsSpan(8), 3);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(v1.AsSpan(16), 4096);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(v1.AsSpan(28), SpillRecordCodec.Crc32C(v1.AsSpan(0, 28)));

        SpillAckStatus status = SpillAckFile.Parse(v1, out SpillAcknowledged acknowledged);

        Assert.That(status, Is.EqualTo(SpillAckStatus.Ok));
        Assert.That((acknowledged.Mark, acknowledged.Ranges.Count), Is.EqualTo((new SpillPosition(3, 4096), 0)));
    }

    [Test]
    public void AckFile_RangesRoundTripAndDamageIsRefused()
    {
        System.IO.Directory.CreateDirectory(Dir);
        SpillAckRange[] ranges = [new(2, 100, 900), new(2, 1500, 1500), new(4, 0, 7000)];
        SpillAckFile.Write(Dir, new SpillPosition(2, 50), ranges, fsync: false);

        Assert.That(SpillAckFile.Read(Dir, out SpillAcknowledged read), Is.EqualTo(SpillAckStatus.Ok));
        Assert.Multiple(() =>
        {
            Assert.That(read.Ranges, Is.EqualTo(ranges));
            Assert.That(read.IsAcknowledged(new SpillPosition(1, 999_999)), Is.True, "below the mark");
            Assert.That(read.IsAcknowledged(new SpillPosition(2, 50)), Is.False, "the mark itself is pending");
            Assert.That(read.IsAcknowledged(new SpillPosition(2, 500)), Is.True);
            Assert.That(read.IsAcknowledged(new SpillPosition(2, 1000)), Is.False);
            Assert.That(read.IsAcknowledged(new SpillPosition(2, 1500)), Is.True);
            Assert.That(read.IsAcknowledged(new SpillPosition(3, 10)), Is.False);
            Assert.That(read.IsAcknowledged(new SpillPosition(4, 7000)), Is.True);
            Assert.That(read.IsAcknowledged(new SpillPosition(4, 7001)), Is.False);
        });

        byte[] bytes = File.ReadAllBytes(Path.Combine(Dir, SpillAckFile.FileName));
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x40;
            Assert.That(SpillAckFile.Parse(damaged, out SpillAcknowledged none), Is.EqualTo(SpillAckStatus.Damaged), $"byte {i} flipped");
            Assert.That(none.Ranges, Is.Empty);
        }

        Assert.That(SpillAckFile.Parse(bytes.AsSpan(0, bytes.Length - 1), out _), Is.EqualTo(SpillAckStatus.Damaged), "truncated");
    }

    /// <summary>The spill under test and the model of what it must hold.</summary>
    private sealed class History : IDisposable
    {
        private readonly SpillPropertyTests _test;
        private readonly Random _random;
        private readonly SpillOptions _options;
        private readonly Dictionary<int, (SpillPosition Position, int Size)> _records = [];

        // Seqs the spill must still hold (unacknowledged; possibly dropped by the quota, which the model
        // learns only at the next reopen, or when an acknowledgement finds the record gone).
        private readonly HashSet<int> _pending = [];

        // Acknowledged for good: never handed out again by any later instance.
        private readonly HashSet<int> _ackedForGood = [];

        // Acknowledged in this instance after the last commit that returned: a crash may hand these out again.
        private readonly HashSet<int> _ackedUnsure = [];

        // Acknowledged beyond the mark in this instance (for the coverage check).
        private readonly HashSet<int> _ackedOutOfOrder = [];
        private readonly Dictionary<int, SpillPosition> _claimed = [];
        private SpillLog _log;
        private int _nextSeq;
        private long _droppedAccountedInInstance;

        public History(SpillPropertyTests test, int seed)
        {
            _test = test;
            _random = new Random(seed);
            _options = test.Options(segmentBytes: 16 << 10, quotaBytes: 96 << 10, commitBytes: 8 << 10, commitMs: 50);
            _log = test.Open(_options);
        }

        public int CleanRestarts { get; private set; }

        public int Crashes { get; private set; }

        public long DroppedByQuota { get; private set; }

        public int AckedOutOfOrderBeforeCleanStop { get; private set; }

        public long Acked { get; private set; }

        public void Step(int step)
        {
            int roll = _random.Next(100);
            switch (roll)
            {
                case < 32:
                    Append(_random.Next(1, 5));
                    break;
                case < 40:
                    Assert.That(_log.Commit(), Is.True, $"step {step}: commit");
                    SealAcknowledgements(); // the commit persisted the mark and the runs beyond it
                    break;
                case < 45:
                    _test.Time.Advance(TimeSpan.FromMilliseconds(60)); // the commit timer (whether armed or not)
                    break;
                case < 65:
                    Replay(step, _random.Next(1, 8));
                    break;
                case < 74:
                    SettleClaim(step, acknowledge: true);
                    break;
                case < 78:
                    SettleClaim(step, acknowledge: false);
                    break;
                case < 92:
                    AcknowledgeLive(step);
                    break;
                case < 96:
                    Restart(step, crash: false);
                    break;
                default:
                    Restart(step, crash: true);
                    break;
            }

            CheckLedger(step);
        }

        public void Restart(int step, bool crash)
        {
            if (!crash && _random.Next(2) == 0)
            {
                // A clean stop releases the sends it still holds (the uplink's stop); sometimes it does not, and
                // the claims end with the instance.
                foreach (SpillPosition position in _claimed.Values)
                {
                    _log.Release(position);
                }
            }

            _claimed.Clear();
            SpillPosition durableEnd = _log.CommittedThrough;
            if (crash)
            {
                _log.Abandon();
                foreach (int seq in _pending.Where(s => _records[s].Position >= durableEnd).ToList())
                {
                    _pending.Remove(seq); // never durable: not promised after a crash
                }

                Crashes++;
            }
            else
            {
                AckedOutOfOrderBeforeCleanStop += _ackedOutOfOrder.Count;
                _log.Dispose();
                SealAcknowledgements();
                CleanRestarts++;
            }

            SpillStatistics closed = _log.Statistics;
            long droppedUnattributed = closed.DroppedBatches - _droppedAccountedInInstance;
            _ackedOutOfOrder.Clear();

            _log = _test.Open(_options);
            var read = new HashSet<int>();
            using (SpillCursor cursor = _log.OpenCursor())
            {
                while (cursor.TryRead(out SpillRecord record))
                {
                    int seq = CheckRecord(step, record);
                    Assert.That(read.Add(seq), Is.True, $"step {step}: seq {seq} read twice");
                }
            }

            foreach (int seq in read)
            {
                Assert.That(_ackedForGood, Does.Not.Contain(seq), $"step {step} ({(crash ? "crash" : "clean stop")}): seq {seq} was acknowledged for good and is handed out again");
                if (_ackedUnsure.Remove(seq))
                {
                    _pending.Add(seq); // acknowledged within a commit interval of the crash: at-least-once
                }

                Assert.That(_pending, Does.Contain(seq), $"step {step}: seq {seq} is not one the spill should hold");
            }

            SealAcknowledgements(); // the rest did reach the disk
            var missing = _pending.Where(s => !read.Contains(s)).ToList();
            Assert.That(missing.Count, Is.EqualTo(droppedUnattributed), $"step {step}: {missing.Count} durable records missing after reopen, {droppedUnattributed} counted as dropped (first missing: {string.Join(", ", missing.Take(5))})");
            DroppedByQuota += missing.Count;
            foreach (int seq in missing)
            {
                _pending.Remove(seq);
            }

            _droppedAccountedInInstance = 0;
            Assert.That(_log.Recovery.PendingRecords, Is.EqualTo(_pending.Count), $"step {step}: recovered pending");
        }

        public void Dispose() => _log.Dispose();

        private void Append(int count)
        {
            for (int i = 0; i < count; i++)
            {
                int seq = _nextSeq++;
                int size = _random.Next(200, 3000);
                SpillPosition position = _log.Append(Key(seq), Payload(seq, size));
                _records[seq] = (position, size);
                _pending.Add(seq);
            }
        }

        private void Replay(int step, int count)
        {
            using SpillCursor cursor = _log.OpenCursor();
            for (int i = 0; i < count && cursor.TryRead(out SpillRecord record); i++)
            {
                int seq = CheckRecord(step, record);
                Assert.That(_pending, Does.Contain(seq), $"step {step}: replay handed out seq {seq}, which is acknowledged or never durable");
                if (_log.IsClaimed(record.Position))
                {
                    continue; // on its way already: the uplink skips it too
                }

                switch (_random.Next(3))
                {
                    case 0:
                        Acknowledge(step, seq, record.Position);
                        break;
                    case 1:
                        _log.Claim(record.Position);
                        _claimed[seq] = record.Position;
                        break;
                    default:
                        break; // read and left: it will be handed out again
                }
            }
        }

        private void SettleClaim(int step, bool acknowledge)
        {
            if (_claimed.Count == 0)
            {
                return;
            }

            int seq = _claimed.Keys.ElementAt(_random.Next(_claimed.Count));
            SpillPosition position = _claimed[seq];
            _claimed.Remove(seq);
            if (acknowledge)
            {
                Acknowledge(step, seq, position);
                return;
            }

            long droppedBefore = _log.Statistics.DroppedBatches;
            _log.Release(position);
            if (_log.Statistics.DroppedBatches != droppedBefore)
            {
                // Its segment went to the quota while it was claimed: counted as dropped now.
                _pending.Remove(seq);
                _droppedAccountedInInstance++;
                DroppedByQuota++;
            }
        }

        /// <summary>A live batch in always mode: acknowledged by the position its append returned, once durable.</summary>
        private void AcknowledgeLive(int step)
        {
            SpillPosition durableEnd = _log.CommittedThrough;
            var candidates = _pending.Where(s => _records[s].Position < durableEnd && !_claimed.ContainsKey(s)).ToList();
            if (candidates.Count == 0)
            {
                return;
            }

            // Mostly the newest (live batches beside an older backlog), sometimes any.
            int seq = _random.Next(4) == 0 ? candidates[_random.Next(candidates.Count)] : candidates.Max();
            Acknowledge(step, seq, _records[seq].Position);
        }

        private void Acknowledge(int step, int seq, SpillPosition position)
        {
            long before = _log.Statistics.Acknowledged;
            _log.Acknowledge(position);
            _pending.Remove(seq);
            if (_log.Statistics.Acknowledged == before)
            {
                // The quota deleted it unclaimed before the acknowledgement came: it is counted as dropped.
                _droppedAccountedInInstance++;
                DroppedByQuota++;
                return;
            }

            Acked++;
            _ackedUnsure.Add(seq);
            if (position > _log.AcknowledgedThrough)
            {
                _ackedOutOfOrder.Add(seq);
            }
        }

        private void SealAcknowledgements()
        {
            _ackedForGood.UnionWith(_ackedUnsure);
            _ackedUnsure.Clear();
        }

        private int CheckRecord(int step, SpillRecord record)
        {
            int seq = (int)record.Key.Seq;
            Assert.That(_records.TryGetValue(seq, out var expected), Is.True, $"step {step}: unknown seq {seq}");
            Assert.That(record.Key, Is.EqualTo(Key(seq)));
            Assert.That(record.Position, Is.EqualTo(expected.Position), $"step {step}: seq {seq} moved");
            Assert.That(record.Payload.ToArray(), Is.EqualTo(Payload(seq, expected.Size)), $"step {step}: seq {seq} payload");
            return seq;
        }

        /// <summary>The spill's own ledger: what it started with and took in equals where each record is now.</summary>
        private void CheckLedger(int step)
        {
            SpillStatistics s = _log.Statistics;
            long recovered = _log.Recovery.PendingRecords;
            long accounted = s.Acknowledged + s.PendingRecords + s.Orphaned + s.DroppedBatches + s.DroppedDiskFull + s.CorruptRecordsSkipped;
            Assert.That(recovered + s.Appended, Is.EqualTo(accounted), $"step {step}: recovered {recovered} + appended {s.Appended} != acked {s.Acknowledged} + pending {s.PendingRecords} + orphaned {s.Orphaned} + dropped {s.DroppedBatches} + disk_full {s.DroppedDiskFull} + corrupt {s.CorruptRecordsSkipped}");
        }
    }
}
