using EdgeAgent.Configuration;
using EdgeAgent.Control;

namespace EdgeAgent.Control.Timing;

/// <summary>How one loop thread runs: its period and the real-time settings it applies to itself.</summary>
/// <param name="Name">The loop (and thread) name, e.g. <c>motor</c>.</param>
/// <param name="Period">The period between deadlines.</param>
/// <param name="FifoPriority">The SCHED_FIFO priority, 1-99; 0 keeps the normal scheduler.</param>
/// <param name="Cpu">The CPU the thread is pinned to; -1: not pinned.</param>
/// <param name="LockMemory">Whether to lock the process memory (mlockall, on fault).</param>
/// <param name="SpinMargin">How long before each deadline the thread stops sleeping and spins.</param>
/// <param name="TimerSlack">The thread's timer slack (prctl PR_SET_TIMERSLACK).</param>
internal sealed record LoopSettings(
    string Name,
    TimeSpan Period,
    int FifoPriority,
    int Cpu,
    bool LockMemory,
    TimeSpan SpinMargin,
    TimeSpan TimerSlack)
{
    /// <summary>Gets the period in nanoseconds.</summary>
    public long PeriodNs => Period.Ticks * 100;

    /// <summary>Gets the spin margin in nanoseconds, clamped to [0, period].</summary>
    public long SpinMarginNs => Math.Clamp(SpinMargin.Ticks * 100, 0, PeriodNs);

    /// <summary>Gets the settings of the motor loop.</summary>
    public static LoopSettings ForMotor(TimingOptions timing, MotorOptions motor)
    {
        ArgumentNullException.ThrowIfNull(timing);
        ArgumentNullException.ThrowIfNull(motor);
        return new("motor", PeriodOf(motor.RateHz), timing.MotorPriority, timing.MotorCpu, timing.LockMemory, timing.SpinMargin, timing.TimerSlack);
    }

    /// <summary>Gets the settings of the balance loop.</summary>
    public static LoopSettings ForBalance(TimingOptions timing, BalanceOptions balance)
    {
        ArgumentNullException.ThrowIfNull(timing);
        ArgumentNullException.ThrowIfNull(balance);
        return new("balance", PeriodOf(balance.RateHz), timing.BalancePriority, timing.BalanceCpu, timing.LockMemory, timing.SpinMargin, timing.TimerSlack);
    }

    /// <summary>Gets the period of a rate, to the 100 ns resolution of <see cref="TimeSpan"/>.</summary>
    public static TimeSpan PeriodOf(double rateHz)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rateHz, 0.0);
        return TimeSpan.FromTicks(Math.Max(1L, (long)Math.Round(TimeSpan.TicksPerSecond / rateHz)));
    }
}
