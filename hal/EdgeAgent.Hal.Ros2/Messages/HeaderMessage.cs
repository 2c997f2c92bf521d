namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary><c>builtin_interfaces/msg/Time</c> and <c>Duration</c>: {int32 sec, uint32 nanosec}.</summary>
internal readonly record struct RosTime(int Sec, uint Nanosec)
{
    public static RosTime Read(ref CdrReader reader) => new(reader.ReadInt32(), reader.ReadUInt32());

    public void Write(ref CdrWriter writer)
    {
        writer.WriteInt32(Sec);
        writer.WriteUInt32(Nanosec);
    }
}

/// <summary><c>std_msgs/msg/Header</c>: {Time stamp, string frame_id}.</summary>
internal sealed class HeaderMessage
{
    /// <summary>The time stamp.</summary>
    public RosTime Stamp { get; set; }

    /// <summary>The frame id (bounded, preallocated).</summary>
    public RosString FrameId { get; } = new();

    public void Read(ref CdrReader reader)
    {
        Stamp = RosTime.Read(ref reader);
        reader.ReadString(FrameId);
    }

    public void Write(ref CdrWriter writer)
    {
        Stamp.Write(ref writer);
        writer.WriteString(FrameId.Utf8);
    }
}
