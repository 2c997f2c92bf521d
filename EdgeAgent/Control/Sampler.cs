using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Sampling;

namespace EdgeAgent.Control;

/// <summary>
/// Takes a <see cref="TelemetrySample"/> every <c>decimation</c> motor ticks and writes it to the telemetry
/// queue. Called by the motor loop thread; it never allocates, locks, logs, waits or throws per tick.
/// </summary>
/// <remarks>
/// The first tick is sampled, then every <c>decimation</c>-th tick after it. <see cref="CpuPercent"/> and
/// <see cref="UplinkRttMs"/> are set by other threads (the host, the uplink) and read with acquire semantics.
/// </remarks>
internal sealed class Sampler
{
    private readonly ITelemetryQueue<TelemetrySample> _queue;
    private readonly int _decimation;
    private readonly int _jointCount;
    private TelemetrySample _sample;
    private int _countdown;
    private long _sampled;
    private float _cpuPercent;
    private float _uplinkRttMs = -1f;

    /// <summary>Initializes a new instance of the <see cref="Sampler"/> class.</summary>
    /// <param name="queue">The queue the samples go to (the motor thread is its only producer).</param>
    /// <param name="decimation">Motor ticks per sample: the motor rate divided by the sample rate (1 or more).</param>
    /// <param name="jointCount">The number of joints, 1 to <see cref="TelemetrySample.MaxJoints"/>.</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public Sampler(ITelemetryQueue<TelemetrySample> queue, int decimation, int jointCount)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (decimation < 1)
        {
            throw new ArgumentException(
                $"The sampling decimation (motor rate / sample rate) must be 1 or more; it was {decimation}.",
                nameof(decimation));
        }

        if (jointCount < 1 || jointCount > TelemetrySample.MaxJoints)
        {
            throw new ArgumentException(
                $"A telemetry sample carries 1 to {TelemetrySample.MaxJoints} joints; the robot has {jointCount}. "
                + "Reduce robot.joints or raise JointValues.Capacity.",
                nameof(jointCount));
        }

        _queue = queue;
        _decimation = decimation;
        _jointCount = jointCount;
        _sample.JointCount = jointCount;
    }

    /// <summary>Gets the number of samples taken (and written to the queue).</summary>
    public long Sampled => Volatile.Read(ref _sampled);

    /// <summary>Gets the number of motor ticks between two samples.</summary>
    public int Decimation => _decimation;

    /// <summary>Gets or sets the process CPU use (% of one core) that the next samples carry.</summary>
    public float CpuPercent
    {
        get => Volatile.Read(ref _cpuPercent);
        set => Volatile.Write(ref _cpuPercent, value);
    }

    /// <summary>Gets or sets the last uplink round trip (ms) that the next samples carry; negative when unknown.</summary>
    public float UplinkRttMs
    {
        get => Volatile.Read(ref _uplinkRttMs);
        set => Volatile.Write(ref _uplinkRttMs, value);
    }

    /// <summary>Called by the motor loop after every tick; samples every <see cref="Decimation"/>-th call.</summary>
    /// <param name="nowNs">The tick's time on CLOCK_MONOTONIC (ns).</param>
    /// <param name="state">The state read this tick.</param>
    /// <param name="commands">The commands written this tick.</param>
    /// <param name="safety">The safety state this tick.</param>
    /// <param name="cause">The cause of the current or last stop.</param>
    /// <param name="overruns">The motor loop's total overruns.</param>
    public void OnMotorTick(long nowNs, RobotState state, JointCommands commands, SafetyState safety, SafetyCause cause, long overruns)
    {
        if (--_countdown > 0)
        {
            return;
        }

        _countdown = _decimation;
        Fill(ref _sample, nowNs, state, commands, safety, cause, overruns);
        _ = _queue.TryWrite(in _sample);
        Volatile.Write(ref _sampled, _sampled + 1);
    }

    private void Fill(ref TelemetrySample s, long nowNs, RobotState state, JointCommands commands, SafetyState safety, SafetyCause cause, long overruns)
    {
        s.MonotonicNs = nowNs;
        s.WallUnixNs = LinuxNative.RealtimeNowNs();
        s.Overruns = overruns;

        // A state or command block shorter than configured (a wiring error) is copied as far as it goes rather
        // than throwing on the motor thread.
        int n = Math.Min(_jointCount, Math.Min(state.JointCount, commands.JointCount));
        s.JointCount = n;
        CopyToSingle(state.Position, s.Position, n);
        CopyToSingle(state.Velocity, s.Velocity, n);
        CopyToSingle(state.Effort, s.Effort, n);
        CopyToSingle(commands.Effort, s.Command, n);

        BaseReading b = state.Base;
        s.BaseX = b.X;
        s.BaseY = b.Y;
        s.BaseHeading = (float)b.HeadingRad;
        s.BaseVelocity = (float)b.ForwardVelocity;
        ImuReading imu = state.Imu;
        s.Tilt = (float)imu.TiltRad;
        s.TiltRate = (float)imu.TiltRateRadPerSec;
        BatteryReading battery = state.Battery;
        s.BatteryLevel = (float)battery.Level;
        s.BatteryVoltage = (float)battery.VoltageV;
        s.CpuPercent = Volatile.Read(ref _cpuPercent);
        s.UplinkRttMs = Volatile.Read(ref _uplinkRttMs);
        s.SafetyState = (byte)safety;
        s.SafetyCause = (byte)cause;
    }

    private static void CopyToSingle(double[] source, Span<float> target, int count)
    {
        ReadOnlySpan<double> src = source.AsSpan(0, count);
        Span<float> dst = target[..count];
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = (float)src[i];
        }
    }
}
