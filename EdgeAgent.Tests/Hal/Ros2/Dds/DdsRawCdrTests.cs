using System.Diagnostics;
using EdgeAgent.Hal.Ros2.Dds;

namespace EdgeAgent.Tests.Hal.Ros2.Dds;

/// <summary>Raw CDR through real Cyclone entities on this process's loopback-only domain.</summary>
public class DdsRawCdrTests
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(5);

    [Test]
    public void JointStateCdr_HandBuiltBytes_AreTheTwoJointMessage()
    {
        var cdr = CdrTestWriter.JointState(7, 8, "base", ["j1", "j2"], [1.5, -2.25], [0.5, 0.25], []);

        Assert.That(Convert.ToHexString(cdr), Is.EqualTo(
            "00010000" + "07000000" + "08000000" + "05000000" + "6261736500" + "000000" + // header, "base", pad to 20
            "02000000" + "03000000" + "6A3100" + "00" + "03000000" + "6A3200" + "00" +   // name[2]
            "02000000" + "00000000" + "000000000000F83F" + "00000000000002C0" +          // position[2]: count, pad to 8
            "02000000" + "00000000" + "000000000000E03F" + "000000000000D03F" +          // velocity[2]
            "00000000"));                                                               // effort[0]
    }

    [Test]
    public void WriteCdr_JointStateTwoJoints_TakeCdrReturnsSameBytes()
    {
        using var dds = new DdsLoopback(Ros2TypeDescriptors.JointState, "rt/joint_states_roundtrip", Ros2Qos.Default, Ros2Qos.Default);
        var reader = dds.Reader!;
        var writer = dds.Writer;
        var cdr = CdrTestWriter.JointState(7, 8, "base", ["j1", "j2"], [1.5, -2.25], [0.5, 0.25], []);

        Assert.That(writer.WriteCdr(cdr), Is.EqualTo(DdsStatus.Ok));

        var buffer = new byte[1024];
        var (taken, length, info) = TakeOne(reader, buffer, TimeSpan.FromSeconds(5));
        // Cyclone keeps the bytes as written; the writer pads to 4 already, so no trailing padding is added.
        Assert.That(taken, Is.EqualTo(1));
        Assert.That(info.ValidData, Is.True);
        Assert.That(buffer.AsSpan(0, length).ToArray(), Is.EqualTo(cdr));
    }

    [Test]
    public unsafe void Create_SertypeProbe_FindsTheTopicsSertype()
    {
        using var dds = new DdsLoopback(Ros2TypeDescriptors.JointState, "rt/joint_states_sertype", Ros2Qos.Default, Ros2Qos.Default);
        var reader = dds.Reader!;
        var writer = dds.Writer;
        Assert.That(writer.WriteCdr(CdrTestWriter.JointState(1, 2, "base", ["j1"], [1], [], [])), Is.EqualTo(DdsStatus.Ok));

        IntPtr serdata = IntPtr.Zero;
        DdsSampleInfo info;
        var taken = 0;
        for (var i = 0; i < 500 && taken == 0; i++)
        {
            taken = DdsNative.dds_takecdr(reader.Handle.Entity, &serdata, 1, &info, DdsNative.AnyState);
            Thread.Sleep(taken == 0 ? 5 : 0);
        }

        Assert.That(taken, Is.EqualTo(1));
        var sertype = *(IntPtr*)((byte*)serdata + DdsLayout.SerdataTypeOffset);
        DdsNative.ddsi_serdata_unref(serdata);
        Assert.That(sertype, Is.EqualTo(writer.Sertype), "Cyclone shares one sertype per type and domain");
    }

    [Test]
    public void WriteAndTakeCdr_SteadyState_AllocateNothing()
    {
        using var dds = new DdsLoopback(Ros2TypeDescriptors.JointState, "rt/joint_states_alloc", Ros2Qos.Create(DdsReliability.Reliable, 100), Ros2Qos.Create(DdsReliability.Reliable, 100));
        var reader = dds.Reader!;
        var writer = dds.Writer;
        var cdr = CdrTestWriter.JointState(1, 2, "base", ["j1", "j2"], [1, 2], [3, 4], [5, 6]);
        var buffer = new byte[1024];
        Assert.That(writer.WriteCdr(cdr), Is.EqualTo(DdsStatus.Ok));
        Assert.That(TakeOne(reader, buffer, TimeSpan.FromSeconds(5)).Taken, Is.EqualTo(1)); // warm-up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = 0;
        var taken = 0;
        for (var i = 0; i < 50; i++)
        {
            written += writer.WriteCdr(cdr) == DdsStatus.Ok ? 1 : 0;
            taken += reader.TakeCdr(buffer, out _, out _) == 1 ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(written, Is.EqualTo(50));
        Assert.That(taken, Is.EqualTo(50), "local delivery is synchronous");
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void WriteCdr_Truncated_ReturnsBadParameter()
    {
        using var dds = new DdsLoopback(Ros2TypeDescriptors.JointState, "rt/joint_states_truncated", null, Ros2Qos.SensorData, waitForMatch: false);
        var writer = dds.Writer;
        var cdr = CdrTestWriter.JointState(1, 2, "base", ["j1", "j2"], [1, 2], [], []);

        Assert.That(writer.WriteCdr(cdr.AsSpan(0, 20)), Is.EqualTo(DdsStatus.BadParameter));
    }

    [Test]
    public void TakeCdr_SmallBuffer_ReportsBufferTooSmallAndSize()
    {
        using var dds = new DdsLoopback(Ros2TypeDescriptors.JointState, "rt/joint_states_small", Ros2Qos.Default, Ros2Qos.Default);
        var reader = dds.Reader!;
        var writer = dds.Writer;
        var cdr = CdrTestWriter.JointState(1, 2, "base", ["j1"], [1], [], []);
        Assert.That(writer.WriteCdr(cdr), Is.EqualTo(DdsStatus.Ok));

        var (taken, length, _) = TakeOne(reader, new byte[8], TimeSpan.FromSeconds(5));

        Assert.That(taken, Is.EqualTo((int)DdsStatus.BufferTooSmall));
        Assert.That(length, Is.EqualTo(cdr.Length));
    }

    [TestCase("Imu")]
    [TestCase("BatteryState")]
    [TestCase("Float64MultiArray")]
    [TestCase("JointTrajectory")]
    public void CreateWriter_EachRos2Type_Succeeds(string name)
    {
        using var dds = new DdsLoopback(Ros2TypeDescriptors.All[name], "rt/type_check_" + name, Ros2Qos.SensorData, Ros2Qos.Create(DdsReliability.Reliable, 3), waitForMatch: false);
        var reader = dds.Reader!;
        var writer = dds.Writer;

        Assert.That(writer.GetMatched(out _), Is.EqualTo(DdsStatus.Ok));
        Assert.That(reader.GetMatched(out _), Is.EqualTo(DdsStatus.Ok));
    }

    internal static void WaitForMatch(DdsRawWriter writer)
    {
        var clock = Stopwatch.StartNew();
        DdsMatchedStatus status;
        while (writer.GetMatched(out status) == DdsStatus.Ok && status.CurrentCount == 0 && clock.Elapsed < MatchTimeout)
        {
            Thread.Sleep(10);
        }

        Assert.That(status.CurrentCount, Is.GreaterThan(0u), $"no reader matched within {MatchTimeout}");
    }

    internal static (int Taken, int Length, DdsSampleInfo Info) TakeOne(DdsRawReader reader, byte[] buffer, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var taken = reader.TakeCdr(buffer, out var length, out var info);
            if (taken != 0 || clock.Elapsed > timeout)
            {
                return (taken, length, info);
            }

            Thread.Sleep(5);
        }
    }
}
