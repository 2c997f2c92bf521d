using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeAgent.Sampling;

/// <summary>
/// One state sample of the robot, taken in the motor loop: a fixed-layout unmanaged struct, so the ring
/// stores it inline and copying it is a memory copy (no allocation, no references for the GC to trace).
/// Joint values are stored as <see cref="float"/>: telemetry precision (7 digits) at half the bytes.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct TelemetrySample
{
    /// <summary>The most joints a sample carries.</summary>
    public const int MaxJoints = JointValues.Capacity;

    /// <summary>Monotonic time of the measurement (ns, CLOCK_MONOTONIC).</summary>
    public long MonotonicNs;

    /// <summary>Wall-clock time of the measurement (ns since the Unix epoch, UTC).</summary>
    public long WallUnixNs;

    /// <summary>The motor loop's total overrun count at the sample.</summary>
    public long Overruns;

    /// <summary>Number of valid entries in the joint arrays.</summary>
    public int JointCount;

    /// <summary>Joint positions (rad).</summary>
    public JointValues Position;

    /// <summary>Joint velocities (rad/s).</summary>
    public JointValues Velocity;

    /// <summary>Measured joint efforts (N·m).</summary>
    public JointValues Effort;

    /// <summary>Commanded joint efforts (N·m).</summary>
    public JointValues Command;

    /// <summary>Base position x in the odometry frame (m).</summary>
    public double BaseX;

    /// <summary>Base position y in the odometry frame (m).</summary>
    public double BaseY;

    /// <summary>Base heading (rad).</summary>
    public float BaseHeading;

    /// <summary>Base forward velocity (m/s).</summary>
    public float BaseVelocity;

    /// <summary>IMU tilt (rad), positive leaning forward.</summary>
    public float Tilt;

    /// <summary>IMU tilt rate (rad/s).</summary>
    public float TiltRate;

    /// <summary>Battery state of charge (0..1).</summary>
    public float BatteryLevel;

    /// <summary>Battery voltage (V).</summary>
    public float BatteryVoltage;

    /// <summary>Process CPU use over the last second (% of one core).</summary>
    public float CpuPercent;

    /// <summary>Last measured uplink round trip (ms); negative when unknown.</summary>
    public float UplinkRttMs;

    /// <summary>Safety state (<see cref="Control.Safety.SafetyState"/> as a byte).</summary>
    public byte SafetyState;

    /// <summary>Safety cause of the current or last stop (<see cref="Control.Safety.SafetyCause"/> as a byte).</summary>
    public byte SafetyCause;
}

/// <summary>A fixed block of per-joint values, inline in <see cref="TelemetrySample"/>.</summary>
[InlineArray(Capacity)]
public struct JointValues
{
    /// <summary>How many joints the block holds.</summary>
    public const int Capacity = 32;

    private float _element0;
}
