using System.Text;
using EdgeAgent.Sampling;

namespace EdgeAgent.Protocol;

/// <summary>
/// The limits of the <c>edgeagent.telemetry.v1</c> protocol, shared by the sender (the configuration refuses
/// a robot the receiver would refuse) and the receiver (it refuses a batch outside them with INVALID_ARGUMENT
/// before it stores or logs anything of it). Documented in telemetry.proto.
/// </summary>
internal static class BatchLimits
{
    /// <summary>The longest <c>robot_id</c> and <c>boot_id</c>, in characters.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The longest joint name, in characters.</summary>
    public const int MaxJointNameLength = 256;

    /// <summary>The most samples in one batch (<c>uplink.batch_size</c> is at most this).</summary>
    public const int MaxSamples = 10_000;

    /// <summary>
    /// The largest encoded batch either side sends or accepts, in bytes: 8 MiB holds the largest batch the
    /// limits allow (10 000 samples of 32 joints is about 6 MB).
    /// </summary>
    public const int MaxMessageBytes = 8 << 20;

    /// <summary>How many characters of a refused value go into a log line or an error message.</summary>
    private const int QuoteLength = 64;

    /// <summary>Checks an id (<c>robot_id</c>, <c>boot_id</c>): 1-64 printable ASCII characters.</summary>
    /// <param name="field">The field name, for the message.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="null"/> when valid, otherwise what is wrong.</returns>
    public static string? CheckId(string field, string value)
    {
        if (value.Length == 0)
        {
            return $"{field} must be set (robot_id, boot_id and seq are the idempotency key)";
        }

        if (value.Length > MaxIdLength)
        {
            return $"{field} is {value.Length} characters; at most {MaxIdLength} are allowed";
        }

        return IsPrintableAscii(value) ? null : $"{field} '{Quote(value)}' holds characters outside printable ASCII";
    }

    /// <summary>Checks one joint name: 1-256 characters, none of them a control character.</summary>
    /// <param name="index">The joint's index, for the message.</param>
    /// <param name="name">The name.</param>
    /// <returns><see langword="null"/> when valid, otherwise what is wrong.</returns>
    public static string? CheckJointName(int index, string name)
    {
        if (name.Length == 0)
        {
            return $"joint_names[{index}] is empty";
        }

        if (name.Length > MaxJointNameLength)
        {
            return $"joint_names[{index}] is {name.Length} characters; at most {MaxJointNameLength} are allowed";
        }

        foreach (char c in name)
        {
            if (char.IsControl(c))
            {
                return $"joint_names[{index}] '{Quote(name)}' holds a control character";
            }
        }

        return null;
    }

    /// <summary>Checks the sample count: 1 to <see cref="MaxSamples"/>.</summary>
    /// <param name="sampleCount">The batch's <c>sample_count</c>.</param>
    /// <returns><see langword="null"/> when valid, otherwise what is wrong.</returns>
    public static string? CheckSampleCount(uint sampleCount) => sampleCount switch
    {
        0 => "sample_count is 0; a batch carries at least one sample",
        > MaxSamples => $"sample_count {sampleCount} is over the limit of {MaxSamples}",
        _ => null,
    };

    /// <summary>
    /// A value made safe to put in a log line or an error message: at most 64 characters, control characters
    /// replaced by '?', and "…(N chars)" when cut.
    /// </summary>
    /// <param name="value">A value from the wire.</param>
    /// <returns>The printable form.</returns>
    public static string Quote(string value)
    {
        int length = Math.Min(value.Length, QuoteLength);
        var text = new StringBuilder(length + 16);
        for (int i = 0; i < length; i++)
        {
            char c = value[i];
            text.Append(char.IsControl(c) ? '?' : c);
        }

        if (value.Length > QuoteLength)
        {
            text.Append("…(").Append(value.Length).Append(" chars)");
        }

        return text.ToString();
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (char c in value)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Gets the most joints a batch may name (the sample's fixed joint capacity).</summary>
    public static int MaxJoints => TelemetrySample.MaxJoints;
}
