using System.ComponentModel.DataAnnotations;
using EdgeAgent.Configuration;

namespace EdgeAgent.Control;

/// <summary>The motor loop (<c>motor:</c>).</summary>
public sealed class MotorOptions
{
    /// <summary>Gets or sets the loop rate (Hz). The default value is 1000.</summary>
    [Range(10.0, 10000.0)]
    public double RateHz { get; set; } = AgentDefaults.MotorRateHz;

    /// <summary>Gets or sets the per-joint PID and feed-forward gains; one entry for every joint in <c>robot.joints</c>.</summary>
    public List<JointGainsOptions> Gains { get; set; } = [];
}

/// <summary>PID gains with anti-windup and feed-forward for one joint (<c>motor.gains[i]</c>).</summary>
public sealed class JointGainsOptions
{
    /// <summary>Gets or sets the joint these gains apply to (a name from <c>robot.joints</c>). Required.</summary>
    [Required]
    public string Joint { get; set; } = string.Empty;

    /// <summary>Gets or sets the proportional gain (N·m/rad). The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double Kp { get; set; }

    /// <summary>Gets or sets the integral gain (N·m/(rad·s)). The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double Ki { get; set; }

    /// <summary>Gets or sets the derivative gain on the velocity error (N·m·s/rad). The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double Kd { get; set; }

    /// <summary>Gets or sets the largest torque the integral term may contribute (N·m); the anti-windup clamp. The default value is 5.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double IntegralLimit { get; set; } = 5.0;

    /// <summary>Gets or sets the velocity feed-forward (N·m·s/rad): cancels viscous damping. The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double FeedForwardVelocity { get; set; }

    /// <summary>Gets or sets the acceleration feed-forward (kg·m²): the inertia seen by the joint. The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double FeedForwardAcceleration { get; set; }

    /// <summary>Gets or sets the friction feed-forward (N·m) applied in the direction of the velocity reference. The default value is 0.</summary>
    [LiveTunable]
    [Range(0.0, 1e6)]
    public double FeedForwardFriction { get; set; }
}
