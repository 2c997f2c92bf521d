// Design: one immutable snapshot of everything the loops may be re-tuned with while running.
//
// Motor gains, joint limits, balance gains and safety limits are read by two threads (motor, balance) and
// replaced by a third (the reloader). Three separate swaps let a tick see new gains with old limits. Here
// they live in one object that is never changed after it is built, and TuningCell holds the one reference:
// the reloader publishes a new snapshot with one release store (Volatile.Write); each tick reads the
// reference once (Volatile.Read, acquire) at its start and uses only that snapshot for the whole tick. So a
// tick sees all of the old values or all of the new ones, never a mix, and no tick waits.
// What is in a snapshot is what the option types mark [LiveTunable]; everything else needs a restart.
using EdgeAgent.Configuration;
using EdgeAgent.Control.Safety;

namespace EdgeAgent.Control;

/// <summary>The live-tunable values of the control stack, as one immutable snapshot.</summary>
internal sealed class ControlTuning
{
    private ControlTuning(AgentOptions options, long version)
    {
        Version = version;
        Motor = MotorGains.From(options.Robot, options.Motor);
        Balance = options.Balance;
        Safety = new SafetyLimits(options);
    }

    /// <summary>Gets the number of this snapshot: 0 at start, one more at every applied reload.</summary>
    public long Version { get; }

    /// <summary>Gets the motor gains and joint limits.</summary>
    public MotorGains Motor { get; }

    /// <summary>Gets the balance gains (the options instance is never changed after loading).</summary>
    public BalanceOptions Balance { get; }

    /// <summary>Gets the safety limits.</summary>
    public SafetyLimits Safety { get; }

    /// <summary>Builds a snapshot from validated options.</summary>
    /// <param name="options">The validated configuration.</param>
    /// <param name="version">The snapshot's number.</param>
    /// <returns>The snapshot.</returns>
    public static ControlTuning From(AgentOptions options, long version = 0) => new(options, version);
}

/// <summary>Holds the current <see cref="ControlTuning"/>; replaced whole with one write, read once per tick.</summary>
internal sealed class TuningCell
{
    private ControlTuning _current;

    /// <summary>Initializes a new instance of the <see cref="TuningCell"/> class.</summary>
    /// <param name="initial">The snapshot the loops start with.</param>
    public TuningCell(ControlTuning initial) => _current = initial;

    /// <summary>Gets the current snapshot (acquire). Read it once per tick.</summary>
    public ControlTuning Current => Volatile.Read(ref _current);

    /// <summary>Publishes a new snapshot (release); the next tick of each loop uses it. Any thread.</summary>
    /// <param name="next">A snapshot for the same joint table.</param>
    public void Publish(ControlTuning next)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentOutOfRangeException.ThrowIfNotEqual(next.Motor.JointCount, _current.Motor.JointCount, nameof(next));
        Volatile.Write(ref _current, next);
    }
}
