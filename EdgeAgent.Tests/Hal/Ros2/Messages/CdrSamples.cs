using EdgeAgent.Hal.Ros2.Messages;
using EdgeAgent.Tests.Hal.Ros2.Messages.TestData;

namespace EdgeAgent.Tests.Hal.Ros2.Messages;

/// <summary>Decodes a whole sample into a fresh or reused message; used by table-driven tests.</summary>
internal delegate CdrStatus SampleDecoder(ReadOnlySpan<byte> sample);

/// <summary>One Cyclone vector: its name, little- and big-endian bytes, and a decoder for its type.</summary>
internal sealed record CdrVector(string Name, byte[] Le, byte[] Be, SampleDecoder Decode)
{
    public override string ToString() => Name;
}

/// <summary>The messages that TestData/cdr_vectors.c serializes with Cyclone DDS, built with the managed types.</summary>
internal static class CdrSamples
{
    public static readonly string[] Joints12 = Enumerable.Range(1, 12).Select(i => $"joint_{i}").ToArray();
    public static readonly string[] OddNames = ["a", "bb", "ccc", "dddd", "eeeee"];
    public static readonly double[] P5 = [1.5, -2.5, 3.25, 0.0, 1e-9];
    public static readonly double[] V5 = [0.5, 0.25, -0.125, 10.0, -1e6];
    public static readonly double[] E5 = [7, 8, 9, 10, 11];
    public static readonly string[] TrajectoryJoints = ["shoulder_pan", "shoulder_lift", "elbow", "wrist_1", "wrist_2", "wrist_3"];
    public static readonly double[] TrajectoryP = [0.1, -1.2, 1.3, -0.4, 0.5, 0.0];
    public static readonly double[] TrajectoryV = [0, 0, 0, 0, 0, 0.25];

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static IEnumerable<CdrVector> All()
    {
        var js12 = new JointStateMessage(Joints12);
        var jsOdd = new JointStateMessage(OddNames);
        var imu = new ImuMessage();
        var battery = new BatteryStateMessage();
        var array = new Float64MultiArrayMessage();
        var trajectory = new JointTrajectoryMessage();
        yield return V("JointState12", CycloneVectors.JointState12Le, CycloneVectors.JointState12Be, s => JointStateMessage.Decode(s, js12));
        yield return V("JointStateEmpty", CycloneVectors.JointStateEmptyLe, CycloneVectors.JointStateEmptyBe, s => JointStateMessage.Decode(s, js12));
        yield return V("JointStateFrame1", CycloneVectors.JointStateFrame1Le, CycloneVectors.JointStateFrame1Be, s => JointStateMessage.Decode(s, jsOdd));
        yield return V("JointStateFrame2", CycloneVectors.JointStateFrame2Le, CycloneVectors.JointStateFrame2Be, s => JointStateMessage.Decode(s, jsOdd));
        yield return V("JointStateFrame3", CycloneVectors.JointStateFrame3Le, CycloneVectors.JointStateFrame3Be, s => JointStateMessage.Decode(s, jsOdd));
        yield return V("JointStateFrame4", CycloneVectors.JointStateFrame4Le, CycloneVectors.JointStateFrame4Be, s => JointStateMessage.Decode(s, jsOdd));
        yield return V("JointStateFrame5", CycloneVectors.JointStateFrame5Le, CycloneVectors.JointStateFrame5Be, s => JointStateMessage.Decode(s, jsOdd));
        yield return V("Imu", CycloneVectors.ImuLe, CycloneVectors.ImuBe, s => ImuMessage.Decode(s, imu));
        yield return V("BatteryState", CycloneVectors.BatteryStateLe, CycloneVectors.BatteryStateBe, s => BatteryStateMessage.Decode(s, battery));
        yield return V("BatteryStateEmpty", CycloneVectors.BatteryStateEmptyLe, CycloneVectors.BatteryStateEmptyBe, s => BatteryStateMessage.Decode(s, battery));
        yield return V("Float64MultiArray6", CycloneVectors.Float64MultiArray6Le, CycloneVectors.Float64MultiArray6Be, s => Float64MultiArrayMessage.Decode(s, array));
        yield return V("Float64MultiArray2Dims", CycloneVectors.Float64MultiArray2DimsLe, CycloneVectors.Float64MultiArray2DimsBe, s => Float64MultiArrayMessage.Decode(s, array));
        yield return V("Float64MultiArrayEmpty", CycloneVectors.Float64MultiArrayEmptyLe, CycloneVectors.Float64MultiArrayEmptyBe, s => Float64MultiArrayMessage.Decode(s, array));
        yield return V("JointTrajectory1", CycloneVectors.JointTrajectory1Le, CycloneVectors.JointTrajectory1Be, s => JointTrajectoryMessage.Decode(s, trajectory));
        yield return V("JointTrajectory2", CycloneVectors.JointTrajectory2Le, CycloneVectors.JointTrajectory2Be, s => JointTrajectoryMessage.Decode(s, trajectory));
        yield return V("JointTrajectoryEmpty", CycloneVectors.JointTrajectoryEmptyLe, CycloneVectors.JointTrajectoryEmptyBe, s => JointTrajectoryMessage.Decode(s, trajectory));
    }

    public static JointStateMessage JointState12()
    {
        var m = new JointStateMessage(Joints12);
        m.Header.Stamp = new RosTime(1700000000, 123456789u);
        m.Header.FrameId.Set("base_link");
        m.SetJointIndices(Enumerable.Range(0, 12).ToArray());
        m.Position.Set(Enumerable.Range(0, 12).Select(i => (0.1 * (i + 1)) - 0.5).ToArray());
        m.Effort.Set(Enumerable.Range(0, 12).Select(i => -2.25 * i).ToArray());
        return m;
    }

    /// <summary>Frame n: frame_id of n 'f's; the name/array counts used by cdr_vectors.c.</summary>
    public static JointStateMessage JointStateFrame(int n)
    {
        var m = new JointStateMessage(OddNames);
        m.Header.Stamp = n == 1 ? new RosTime(-1, 999999999u) : new RosTime(n, (uint)n);
        m.Header.FrameId.Set(new string('f', n));
        (int names, int p, int v, int e) = n switch { 1 => (5, 5, 5, 5), 2 => (1, 1, 0, 0), 3 => (2, 2, 2, 0), 4 => (3, 3, 0, 3), _ => (4, 0, 0, 0) };
        m.SetJointIndices(Enumerable.Range(0, names).ToArray());
        m.Position.Set(P5.AsSpan(0, p));
        m.Velocity.Set(V5.AsSpan(0, v));
        m.Effort.Set(E5.AsSpan(0, e));
        return m;
    }

    public static ImuMessage Imu()
    {
        var m = new ImuMessage();
        m.Header.Stamp = new RosTime(42, 500);
        m.Header.FrameId.Set("imu_link");
        double[] q = [0.1, -0.2, 0.3, 0.9273618495495704];
        q.CopyTo(m.Orientation);
        for (int i = 0; i < 9; i++)
        {
            m.OrientationCovariance[i] = i;
            m.AngularVelocityCovariance[i] = -i * 0.5;
            m.LinearAccelerationCovariance[i] = i == 0 ? -1.0 : 0.01 * i;
        }

        double[] w = [0.01, 0.02, -0.03];
        double[] a = [0.1, 0.2, 9.80665];
        w.CopyTo(m.AngularVelocity);
        a.CopyTo(m.LinearAcceleration);
        return m;
    }

    public static BatteryStateMessage Battery()
    {
        var m = new BatteryStateMessage();
        m.Header.Stamp = new RosTime(1234, 5678);
        m.Header.FrameId.Set("battery");
        m.Voltage = 12.3f;
        m.Temperature = 31.5f;
        m.Current = -1.75f;
        m.Charge = 2.5f;
        m.Capacity = 5.0f;
        m.DesignCapacity = 5.2f;
        m.Percentage = 0.5f;
        m.PowerSupplyStatus = 2;
        m.PowerSupplyHealth = 1;
        m.PowerSupplyTechnology = 3;
        m.Present = true;
        m.CellVoltage.Set([4.1f, 4.15f, 4.05f]);
        m.CellTemperature.Set([25.5f, 26.0f]);
        m.Location.Set("slot0");
        m.SerialNumber.Set("SN-1234");
        return m;
    }

    public static BatteryStateMessage BatteryEmpty() => new() { Voltage = BitConverter.Int32BitsToSingle(unchecked((int)0xffc00000)) };

    public static Float64MultiArrayMessage Float64MultiArray(int dims)
    {
        double[] d = [0.0, 0.5, -1.0, 1.5707963267948966, 2.0, -3.0];
        var m = new Float64MultiArrayMessage();
        if (dims == 0)
        {
            return m;
        }

        m.Dimensions[0].Label.Set("joints");
        m.Dimensions[0].Size = 6;
        m.Dimensions[0].Stride = 6;
        m.Dimensions[1].Label.Set("xyz");
        m.Dimensions[1].Size = 3;
        m.Dimensions[1].Stride = 1;
        m.DimensionCount = dims;
        m.DataOffset = dims == 2 ? 3u : 0u;
        m.Data.Set(d.AsSpan(0, dims == 2 ? 3 : 6));
        return m;
    }

    public static JointTrajectoryMessage Trajectory(int points)
    {
        var m = new JointTrajectoryMessage();
        if (points == 0)
        {
            return m;
        }

        m.Header.Stamp = new RosTime(77, 88);
        m.Header.FrameId.Set(points == 2 ? "map" : string.Empty);
        for (int i = 0; i < TrajectoryJoints.Length; i++)
        {
            m.JointNames[i].Set(TrajectoryJoints[i]);
        }

        m.JointNameCount = TrajectoryJoints.Length;
        m.Points[0].Positions.Set(TrajectoryP);
        m.Points[0].Velocities.Set(TrajectoryV);
        m.Points[0].TimeFromStart = new RosTime(0, 500000000u);
        m.Points[1].Positions.Set(TrajectoryV);
        m.Points[1].Accelerations.Set(TrajectoryP.AsSpan(0, 2));
        m.Points[1].Effort.Set(TrajectoryP.AsSpan(0, 1));
        m.Points[1].TimeFromStart = new RosTime(2, 1);
        m.PointCount = points;
        return m;
    }

    private static CdrVector V(string name, string le, string be, SampleDecoder decode) => new(name, Hex(le), Hex(be), decode);
}
