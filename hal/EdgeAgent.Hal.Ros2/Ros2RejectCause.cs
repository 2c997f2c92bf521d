namespace EdgeAgent.Hal.Ros2;

/// <summary>Why the ROS 2 HAL rejected a received state message.</summary>
public enum Ros2RejectCause
{
    /// <summary>The CDR did not decode (codec status not Ok, or larger than the receive buffer).</summary>
    Malformed = 0,

    /// <summary>position, or a non-empty velocity/effort, has a different length than name.</summary>
    LengthMismatch,

    /// <summary>A joint name is not configured.</summary>
    UnknownJoint,

    /// <summary>A configured joint is absent (or named twice).</summary>
    MissingJoint,

    /// <summary>A used value is NaN or infinite.</summary>
    NonFinite,

    /// <summary>The header stamp is older than MaxMessageAge against the wall clock.</summary>
    FromPast,

    /// <summary>The header stamp is ahead of the wall clock by more than MaxFutureSkew.</summary>
    FromFuture,
}
