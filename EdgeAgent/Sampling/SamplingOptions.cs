using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Sampling;

/// <summary>Telemetry sampling in the motor loop (<c>sampling:</c>).</summary>
public sealed class SamplingOptions
{
    /// <summary>Gets or sets the sample rate (Hz); the motor rate must be an integer multiple of it. The default value is 100.</summary>
    [Range(1.0, 10000.0)]
    public double RateHz { get; set; } = 100.0;

    /// <summary>Gets or sets the ring capacity in samples (a power of two; ~600 bytes each); when full the oldest sample is dropped and counted. The default value is 4096 (41 s at 100 Hz, 4 s at 1 kHz).</summary>
    [Range(16, 1 << 24)]
    public int RingCapacity { get; set; } = 4096;
}
