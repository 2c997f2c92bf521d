using System.ComponentModel.DataAnnotations;
using EdgeAgent.Configuration;

namespace EdgeAgent.Control;

/// <summary>The balance loop (<c>balance:</c>).</summary>
public sealed class BalanceOptions
{
    /// <summary>Gets or sets a value indicating whether the balance loop runs. The default value is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the loop rate (Hz). The default value is 100.</summary>
    [Range(1.0, 2000.0)]
    public double RateHz { get; set; } = AgentDefaults.BalanceRateHz;

    /// <summary>Gets or sets the wheel joints that move the base (names from <c>robot.joints</c>). Required when enabled.</summary>
    public List<string> DriveJoints { get; set; } = [];

    /// <summary>Gets or sets the drive wheel radius (m). The default value is 0.1.</summary>
    [Range(0.001, 10.0)]
    public double WheelRadius { get; set; } = 0.1;

    /// <summary>Gets or sets the state-feedback gain on tilt ((m/s²)/rad). The default value is 90.2.</summary>
    [LiveTunable]
    [Range(0.0, 1e5)]
    public double TiltGain { get; set; } = 90.2;

    /// <summary>Gets or sets the state-feedback gain on tilt rate ((m/s²)/(rad/s)). The default value is 19.3.</summary>
    [LiveTunable]
    [Range(0.0, 1e5)]
    public double TiltRateGain { get; set; } = 19.3;

    /// <summary>Gets or sets the state-feedback gain on base position ((m/s²)/m). The default value is 28.7.</summary>
    [LiveTunable]
    [Range(0.0, 1e5)]
    public double PositionGain { get; set; } = 28.7;

    /// <summary>Gets or sets the state-feedback gain on base velocity ((m/s²)/(m/s)). The default value is 22.9.</summary>
    [LiveTunable]
    [Range(0.0, 1e5)]
    public double VelocityGain { get; set; } = 22.9;

    /// <summary>Gets or sets the time constant of the complementary tilt filter (gyro vs accelerometer tilt). The default value is 0.2 s.</summary>
    [LiveTunable]
    public TimeSpan TiltFilterTimeConstant { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the largest base acceleration the balance loop asks for (m/s²). The default value is 15.</summary>
    [LiveTunable]
    [Range(0.01, 1000.0)]
    public double AccelerationMax { get; set; } = 15.0;

    /// <summary>Gets or sets the tilt (degrees) past which the safety supervisor stops the robot. The default value is 25.</summary>
    [LiveTunable]
    [Range(0.1, 89.0)]
    public double TiltLimitDeg { get; set; } = 25.0;
}
