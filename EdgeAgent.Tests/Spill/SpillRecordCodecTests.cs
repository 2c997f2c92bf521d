using System.Text;
using EdgeAgent.Spill;

namespace EdgeAgent.Tests.Spill;

public sealed class SpillRecordCodecTests
{
    [Test]
    public void ReadRecord_WrittenRecord_RoundTrips()
    {
        byte[] buffer = Encode(out int length);

        SpillDecodeStatus status = SpillRecordCodec.ReadRecord(buffer.AsSpan(0, length), out SpillRecordView view);
        var decoded = (view.Length, view.Ordinal, Encoding.UTF8.GetString(view.RobotId), Encoding.UTF8.GetString(view.BootId), view.Seq, view.Payload.ToArray());

        Assert.That(status, Is.EqualTo(SpillDecodeStatus.Ok));
        Assert.That(decoded, Is.EqualTo((length, 42UL, "robot-ü", "boot", 7UL, new byte[] { 1, 2, 3, 4, 5 })));
    }

    [Test]
    public void ReadRecord_Damaged_StatusNotException()
    {
        byte[] good = Encode(out int length);
        byte[] badMagic = (byte[])good.Clone();
        badMagic[0] ^= 1;
        byte[] badCrc = (byte[])good.Clone();
        badCrc[length - 1] ^= 1;
        byte[] tooLong = (byte[])good.Clone();
        tooLong[7] = 0x7F;
        byte[] tooShort = (byte[])good.Clone();
        tooShort[4] = 8;
        tooShort[5] = 0;

        Assert.Multiple(() =>
        {
            Assert.That(SpillRecordCodec.ReadRecord(good.AsSpan(0, length - 1), out _), Is.EqualTo(SpillDecodeStatus.Truncated));
            Assert.That(SpillRecordCodec.ReadRecord(good.AsSpan(0, 2), out _), Is.EqualTo(SpillDecodeStatus.Truncated));
            Assert.That(SpillRecordCodec.ReadRecord(badMagic.AsSpan(0, length), out _), Is.EqualTo(SpillDecodeStatus.BadMagic));
            Assert.That(SpillRecordCodec.ReadRecord(badCrc.AsSpan(0, length), out _), Is.EqualTo(SpillDecodeStatus.BadCrc));
            Assert.That(SpillRecordCodec.ReadRecord(tooLong.AsSpan(0, length), out _), Is.EqualTo(SpillDecodeStatus.TooLong));
            Assert.That(SpillRecordCodec.ReadRecord(tooShort.AsSpan(0, length), out _), Is.EqualTo(SpillDecodeStatus.BadLength));
        });
    }

    [Test]
    public void ReadRecord_RandomBytesWithMagic_NeverThrows()
    {
        var random = new Random(5);
        var buffer = new byte[256];
        for (int i = 0; i < 20000; i++)
        {
            random.NextBytes(buffer);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(buffer, SpillRecordCodec.RecordMagic);
            int length = random.Next(buffer.Length + 1);
            SpillDecodeStatus status = SpillRecordCodec.ReadRecord(buffer.AsSpan(0, length), out _);
            Assert.That(status, Is.Not.EqualTo(SpillDecodeStatus.Ok));
        }
    }

    [Test]
    public void ReadSegmentHeader_WrittenHeader_RoundTripsAndDetectsDamage()
    {
        var header = new byte[SpillRecordCodec.SegmentHeaderBytes];
        SpillRecordCodec.WriteSegmentHeader(header, 12, 3456);

        SpillDecodeStatus ok = SpillRecordCodec.ReadSegmentHeader(header, out ulong segment, out ulong first);
        header[9] ^= 1;
        SpillDecodeStatus damaged = SpillRecordCodec.ReadSegmentHeader(header, out _, out _);

        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.EqualTo(SpillDecodeStatus.Ok));
            Assert.That((segment, first), Is.EqualTo((12UL, 3456UL)));
            Assert.That(damaged, Is.EqualTo(SpillDecodeStatus.BadCrc));
        });
    }

    [Test]
    public void Crc32C_KnownVector_MatchesCastagnoli()
    {
        Assert.That(SpillRecordCodec.Crc32C("123456789"u8), Is.EqualTo(0xE3069283u));
    }

    private static byte[] Encode(out int length)
    {
        byte[] robot = Encoding.UTF8.GetBytes("robot-ü");
        byte[] boot = Encoding.UTF8.GetBytes("boot");
        var buffer = new byte[256];
        length = SpillRecordCodec.WriteRecord(buffer, 42, robot, boot, 7, [1, 2, 3, 4, 5]);
        return buffer;
    }
}
