using System.Buffers;

namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>A ROS 2 message with preallocated storage that reads and writes its own XCDR1 body.</summary>
internal interface ICdrMessage
{
    /// <summary>Reads the body; errors go to the reader's status.</summary>
    void Read(ref CdrReader reader);

    /// <summary>Writes the body; errors go to the writer's status.</summary>
    void Write(ref CdrWriter writer);
}

/// <summary>Encode and decode of whole samples (header + body) for any <see cref="ICdrMessage"/>.</summary>
internal static class CdrMessage
{
    /// <summary>Decodes <paramref name="sample"/> into <paramref name="into"/>; on failure its content is unspecified.</summary>
    public static CdrStatus Decode<T>(ReadOnlySpan<byte> sample, T into)
        where T : ICdrMessage
    {
        var status = CdrReader.Open(sample, out var reader);
        if (status != CdrStatus.Ok)
        {
            return status;
        }

        into.Read(ref reader);
        return reader.Status;
    }

    /// <summary>Size of the encoded sample in bytes (header and end padding included).</summary>
    public static int Measure<T>(T message)
        where T : ICdrMessage
    {
        var writer = new CdrWriter(Span<byte>.Empty);
        message.Write(ref writer);
        return writer.Finish();
    }

    /// <summary>Encodes into <paramref name="destination"/>; <paramref name="written"/> is 0 unless Ok.</summary>
    public static CdrStatus Encode<T>(T message, Span<byte> destination, out int written)
        where T : ICdrMessage
    {
        var writer = new CdrWriter(destination);
        message.Write(ref writer);
        int size = writer.Finish();
        written = writer.Status == CdrStatus.Ok ? size : 0;
        return writer.Status;
    }

    /// <summary>Encodes into <paramref name="output"/> (measures first, then writes once; advances only when Ok).</summary>
    public static CdrStatus Encode<T>(T message, IBufferWriter<byte> output)
        where T : ICdrMessage
    {
        int size = Measure(message);
        var status = Encode(message, output.GetSpan(size)[..size], out int written);
        if (status == CdrStatus.Ok)
        {
            output.Advance(written);
        }

        return status;
    }
}
