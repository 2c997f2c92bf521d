using System.Buffers;

namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>
/// <c>sensor_msgs/msg/Imu</c>: header, orientation (x, y, z, w), orientation_covariance[9], angular_velocity (x, y, z),
/// angular_velocity_covariance[9], linear_acceleration (x, y, z), linear_acceleration_covariance[9]. The nested
/// Quaternion/Vector3 are plain doubles and the covariances fixed arrays, so everything after the header is 43
/// consecutive 8-aligned doubles.
/// </summary>
internal sealed class ImuMessage : ICdrMessage
{
    public HeaderMessage Header { get; } = new();

    /// <summary>Quaternion x, y, z, w.</summary>
    public double[] Orientation { get; } = new double[4];

    public double[] OrientationCovariance { get; } = new double[9];

    /// <summary>x, y, z in rad/s.</summary>
    public double[] AngularVelocity { get; } = new double[3];

    public double[] AngularVelocityCovariance { get; } = new double[9];

    /// <summary>x, y, z in m/s².</summary>
    public double[] LinearAcceleration { get; } = new double[3];

    public double[] LinearAccelerationCovariance { get; } = new double[9];

    /// <summary>Decodes a sample; <paramref name="into"/> is valid only when the result is Ok.</summary>
    public static CdrStatus Decode(ReadOnlySpan<byte> sample, ImuMessage into) => CdrMessage.Decode(sample, into);

    public CdrStatus Encode(IBufferWriter<byte> output) => CdrMessage.Encode(this, output);

    public CdrStatus Encode(Span<byte> destination, out int written) => CdrMessage.Encode(this, destination, out written);

    void ICdrMessage.Read(ref CdrReader reader)
    {
        Header.Read(ref reader);
        _ = reader.ReadDoubleArray(Orientation)
            && reader.ReadDoubleArray(OrientationCovariance)
            && reader.ReadDoubleArray(AngularVelocity)
            && reader.ReadDoubleArray(AngularVelocityCovariance)
            && reader.ReadDoubleArray(LinearAcceleration)
            && reader.ReadDoubleArray(LinearAccelerationCovariance);
    }

    void ICdrMessage.Write(ref CdrWriter writer)
    {
        Header.Write(ref writer);
        writer.WriteDoubleArray(Orientation);
        writer.WriteDoubleArray(OrientationCovariance);
        writer.WriteDoubleArray(AngularVelocity);
        writer.WriteDoubleArray(AngularVelocityCovariance);
        writer.WriteDoubleArray(LinearAcceleration);
        writer.WriteDoubleArray(LinearAccelerationCovariance);
    }
}
