namespace EdgeAgent.Hal.Sim;

/// <content>
/// Disturbance injection for tests. Every call first integrates the physics up to the clock; durations
/// start at that physics time and are measured in simulated time. A new call of the same kind replaces the
/// previous one.
/// </content>
public sealed partial class SimulatedRobot
{
    private double _pushForce;
    private long _pushUntilNs;
    private long _dropUntilNs;

    /// <summary>Pushes the base with a horizontal force at its centre of mass.</summary>
    /// <param name="forceN">The force (N), positive forward.</param>
    /// <param name="duration">How long the force acts.</param>
    public void Push(double forceN, TimeSpan duration)
    {
        RequireFinite(forceN);
        _pushUntilNs = SyncAndDeadline(duration);
        _pushForce = forceN;
    }

    /// <summary>Drops all sensors: reads return <see cref="HalStatus.NoNewData"/> and leave the state and its sequence alone, while the physics keeps running.</summary>
    /// <param name="duration">How long the dropout lasts.</param>
    public void DropSensors(TimeSpan duration) => _dropUntilNs = SyncAndDeadline(duration);

    /// <summary>Blocks a joint mechanically: its velocity is 0 and its position frozen; its torque sensor reads the applied torque.</summary>
    /// <param name="joint">The joint index.</param>
    /// <param name="duration">How long the joint stays blocked.</param>
    public void Stall(int joint, TimeSpan duration)
    {
        CheckJoint(joint);
        _stallUntilNs[joint] = SyncAndDeadline(duration);
        _qd[joint] = 0.0;
    }

    /// <summary>
    /// Applies an external torque that opposes the motor: the dynamics see τ − load and the joint's torque sensor
    /// reads τ + load, so a large load makes the measured effort exceed the motor's limit.
    /// </summary>
    /// <param name="joint">The joint index.</param>
    /// <param name="torqueNm">The load torque (N·m).</param>
    /// <param name="duration">How long the load acts.</param>
    public void ApplyLoad(int joint, double torqueNm, TimeSpan duration)
    {
        CheckJoint(joint);
        RequireFinite(torqueNm);
        _loadUntilNs[joint] = SyncAndDeadline(duration);
        _loadTorque[joint] = torqueNm;
    }

    /// <summary>Sets the battery state of charge.</summary>
    /// <param name="level">The new level, 0 (empty) to 1 (full).</param>
    public void SetBatteryLevel(double level)
    {
        if (!(level is >= 0.0 and <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "The battery level must be between 0 and 1.");
        }

        Sync();
        _battery.SetLevel(level);
    }

    /// <summary>Moves the base to a new position in the odometry frame, keeping its heading and motion.</summary>
    /// <param name="x">The new x (m).</param>
    /// <param name="y">The new y (m).</param>
    public void Teleport(double x, double y)
    {
        RequireFinite(x);
        RequireFinite(y);
        Sync();
        _x = x;
        _y = y;
    }

    private long SyncAndDeadline(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        Sync();
        return _physicsNs + (duration.Ticks * TimeSpan.NanosecondsPerTick);
    }

    private void Sync()
    {
        if (!_started)
        {
            throw new InvalidOperationException("Call SimulatedRobot.Start before injecting disturbances.");
        }

        AdvanceTo(_clock.NowNs);
    }

    private static void RequireFinite(double value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "The value must be finite.");
        }
    }
}
