using BenchmarkDotNet.Attributes;
using EdgeAgent.Hal.Ros2.Messages;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// XCDR1 codec: decode of a 12-joint <c>sensor_msgs/JointState</c> (names, position, velocity, effort all filled;
/// goal ≤ 1 µs and 0 B) little and big endian, and encode of a one-point JointTrajectory command.
/// Run: <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*Cdr*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class CdrBenchmarks
{
    private static readonly string[] Joints = Enumerable.Range(1, 12).Select(i => $"joint_{i}").ToArray();

    private readonly JointStateMessage _jointState = new(Joints);
    private readonly JointTrajectoryMessage _trajectory = new(jointCapacity: 12, pointCapacity: 1);
    private readonly byte[] _output = new byte[4096];
    private byte[] _littleEndian = [];
    private byte[] _bigEndian = [];

    [GlobalSetup]
    public void Setup()
    {
        var source = new JointStateMessage(Joints);
        source.Header.Stamp = new RosTime(1_700_000_000, 123_456_789);
        source.Header.FrameId.Set("base_link");
        source.SetJointIndices(Enumerable.Range(0, Joints.Length).ToArray());
        source.Position.Set(Enumerable.Range(0, Joints.Length).Select(i => i * 0.1).ToArray());
        source.Velocity.Set(Enumerable.Range(0, Joints.Length).Select(i => i * -0.01).ToArray());
        source.Effort.Set(Enumerable.Range(0, Joints.Length).Select(i => i * 2.5).ToArray());
        _littleEndian = new byte[CdrMessage.Measure(source)];
        _ = source.Encode(_littleEndian, out _);
        _bigEndian = ToBigEndian(_littleEndian, Joints);

        for (int i = 0; i < Joints.Length; i++)
        {
            _trajectory.JointNames[i].Set(Joints[i]);
        }

        _trajectory.JointNameCount = Joints.Length;
        _trajectory.Points[0].Positions.Set(source.Position.Span);
        _trajectory.Points[0].TimeFromStart = new RosTime(0, 10_000_000);
        _trajectory.PointCount = 1;
        if (JointStateMessage.Decode(_bigEndian, _jointState) != CdrStatus.Ok)
        {
            throw new InvalidOperationException("big-endian sample does not decode");
        }
    }

    [Benchmark(Baseline = true)]
    public int DecodeJointState12() => (int)JointStateMessage.Decode(_littleEndian, _jointState);

    [Benchmark]
    public int DecodeJointState12BigEndian() => (int)JointStateMessage.Decode(_bigEndian, _jointState);

    [Benchmark]
    public int EncodeTrajectoryPoint()
    {
        _ = _trajectory.Encode(_output, out int written);
        return written;
    }

    // Same layout as the little-endian sample (alignment does not depend on byte order): swap every field.
    private static byte[] ToBigEndian(byte[] le, string[] names)
    {
        var be = (byte[])le.Clone();
        be[1] = 0;
        int p = 4;
        Swap(be, ref p, 4);
        Swap(be, ref p, 4);
        int frame = BitConverter.ToInt32(le, p);
        Swap(be, ref p, 4);
        p += frame;
        Align(ref p, 4);
        Swap(be, ref p, 4);
        foreach (var name in names)
        {
            Align(ref p, 4);
            Swap(be, ref p, 4);
            p += name.Length + 1;
        }

        for (int array = 0; array < 3; array++)
        {
            Align(ref p, 4);
            int count = BitConverter.ToInt32(le, p);
            Swap(be, ref p, 4);
            Align(ref p, 8);
            for (int i = 0; i < count; i++)
            {
                Swap(be, ref p, 8);
            }
        }

        return be;
    }

    private static void Align(ref int p, int n) => p = 4 + ((p - 4 + n - 1) & ~(n - 1));

    private static void Swap(byte[] b, ref int p, int n)
    {
        Array.Reverse(b, p, n);
        p += n;
    }
}
