using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Control.Timing;

/// <summary>Real-time settings of the loop threads (<c>timing:</c>).</summary>
public sealed class TimingOptions
{
    /// <summary>Gets or sets how long before each deadline the loop stops sleeping and spins. The default value is 100 µs.</summary>
    public TimeSpan SpinMargin { get; set; } = TimeSpan.FromMicroseconds(100);

    /// <summary>Gets or sets the SCHED_FIFO priority of the motor thread (1-99; 0 keeps the normal scheduler). The default value is 80.</summary>
    [Range(0, 99)]
    public int MotorPriority { get; set; } = 80;

    /// <summary>Gets or sets the SCHED_FIFO priority of the balance thread (1-99; 0 keeps the normal scheduler). The default value is 70.</summary>
    [Range(0, 99)]
    public int BalancePriority { get; set; } = 70;

    /// <summary>Gets or sets the CPU the motor thread is pinned to (-1: not pinned). The default value is -1.</summary>
    [Range(-1, 1023)]
    public int MotorCpu { get; set; } = -1;

    /// <summary>Gets or sets the CPU the balance thread is pinned to (-1: not pinned). The default value is -1.</summary>
    [Range(-1, 1023)]
    public int BalanceCpu { get; set; } = -1;

    /// <summary>Gets or sets a value indicating whether the process memory is locked (mlockall, on fault) so the loops never page-fault to disk. The default value is <see langword="true"/>.</summary>
    public bool LockMemory { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the CPUs are kept out of deep idle states while the loops run
    /// (a 0 µs PM QoS request on /dev/cpu_dma_latency, as cyclictest makes). Costs power, removes the
    /// idle-exit latency from wake-ups. The default value is <see langword="true"/>.
    /// </summary>
    public bool LimitCpuIdle { get; set; } = true;

    /// <summary>Gets or sets the timer slack of the loop threads. The default value is 1 µs.</summary>
    public TimeSpan TimerSlack { get; set; } = TimeSpan.FromMicroseconds(1);
}
