namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>Outcome of a CDR decode or encode. Everything but <see cref="Ok"/> leaves the target message unspecified.</summary>
internal enum CdrStatus
{
    /// <summary>The message was decoded or encoded completely.</summary>
    Ok = 0,

    /// <summary>The input ended before the message did.</summary>
    Truncated,

    /// <summary>The encapsulation header is not plain CDR (XCDR1) little or big endian, e.g. XCDR2 <c>00 07</c>/<c>00 09</c>.</summary>
    UnsupportedEncoding,

    /// <summary>A string had length 0, no terminating NUL, or bytes that are not UTF-8.</summary>
    BadString,

    /// <summary>A length or count exceeds the remaining input or the configured capacity of the target.</summary>
    LengthLimit,

    /// <summary>The destination span is too small for the encoded message.</summary>
    BufferTooSmall,

    /// <summary>A joint index refers to no configured joint name (encode of a joint state).</summary>
    UnknownName,
}
