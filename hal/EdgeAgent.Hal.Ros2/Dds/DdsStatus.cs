namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>Cyclone DDS return codes (<c>dds_return_t</c>, ddsrt/retcode.h): 0 = OK, negative = error.</summary>
internal enum DdsStatus
{
    Ok = 0,
    Error = -1,
    Unsupported = -2,
    BadParameter = -3,
    PreconditionNotMet = -4,
    OutOfResources = -5,
    NotEnabled = -6,
    ImmutablePolicy = -7,
    InconsistentPolicy = -8,
    AlreadyDeleted = -9,
    Timeout = -10,
    NoData = -11,
    IllegalOperation = -12,
    NotAllowedBySecurity = -13,

    /// <summary>Not a Cyclone code: the caller's buffer was smaller than the sample (the sample is consumed).</summary>
    BufferTooSmall = -1000,
}

/// <summary>A DDS call failed while creating something: configuration or start-up error.</summary>
internal sealed class DdsException : Exception
{
    public DdsException()
    {
    }

    public DdsException(string message)
        : base(message)
    {
    }

    public DdsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DdsException(string operation, int returnCode)
        : base($"{operation} failed: {DdsNative.RetcodeText(returnCode)} ({returnCode}).")
    {
        ReturnCode = returnCode;
    }

    /// <summary>Gets the Cyclone return code, or 0 when not from a return code.</summary>
    public int ReturnCode { get; }

    /// <summary>Throws when <paramref name="ret"/> is negative; returns it otherwise.</summary>
    public static int ThrowIfError(int ret, string operation) =>
        ret < 0 ? throw new DdsException(operation, ret) : ret;
}
