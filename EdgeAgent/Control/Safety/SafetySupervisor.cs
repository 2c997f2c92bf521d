// Design: the safety supervisor runs inside the motor tick, after HAL.Read and before the controllers.
//
// Threads: Check() is called only by the motor thread; it owns every field except the two request flags.
// RequestStop() and RequestReset() may be called from any thread (host, signal handler); they set a volatile
// flag that the next Check() consumes, so a stop or reset takes effect between ticks, never inside one.
// State and trip counts are published with Volatile writes for readers on other threads (status line, summary).
// Invariants: SafeStop is latched: only a reset request clears it, and a reset while the condition still
// holds trips again on the same tick. A trip is counted once per latch, under its first cause.
// Nothing here allocates, locks, logs or throws.
using EdgeAgent.Configuration;
using EdgeAgent.Hal;

namespace EdgeAgent.Control.Safety;

/// <summary>Checks the robot every motor tick and latches SAFE_STOP with a cause.</summary>
internal sealed class SafetySupervisor
{
    private const double BatteryHysteresis = 0.02;

    private readonly SafetyOptions _options;
    private MotorGains _limits;
    private readonly double _tiltLimitRad;
    private readonly long _overrunWindowNs;
    private readonly long[] _overrunTimes;
    private readonly double[] _fenceX;
    private readonly double[] _fenceY;
    private readonly long[] _trips = new long[Enum.GetValues<SafetyCause>().Length];

    private int _overrunHead;
    private long _lastOverruns;
    private long _lastSequence = long.MinValue;
    private int _staleTicks;
    private int _state;
    private int _cause;
    private volatile bool _stopRequested;
    private volatile bool _resetRequested;

    /// <summary>Initializes a new instance of the <see cref="SafetySupervisor"/> class.</summary>
    /// <param name="options">The whole validated configuration.</param>
    public SafetySupervisor(AgentOptions options)
    {
        _options = options.Safety;
        _limits = MotorGains.From(options.Robot, options.Motor);
        _tiltLimitRad = options.Balance.TiltLimitDeg * Math.PI / 180.0;
        _overrunWindowNs = (long)(options.Safety.OverrunWindow.Ticks * 100L);
        _overrunTimes = new long[Math.Max(1, options.Safety.OverrunLimit - 1)];
        Array.Fill(_overrunTimes, long.MinValue);
        _fenceX = options.Safety.Geofence.Select(p => p.X).ToArray();
        _fenceY = options.Safety.Geofence.Select(p => p.Y).ToArray();
    }

    /// <summary>Gets the current state.</summary>
    public SafetyState State => (SafetyState)Volatile.Read(ref _state);

    /// <summary>Gets the cause of the current (or last) safe stop.</summary>
    public SafetyCause Cause => (SafetyCause)Volatile.Read(ref _cause);

    /// <summary>Gets how many times each cause tripped a safe stop.</summary>
    /// <param name="cause">The cause.</param>
    /// <returns>The trip count.</returns>
    public long Trips(SafetyCause cause) => Volatile.Read(ref _trips[(int)cause]);

    /// <summary>Swaps in re-tuned joint limits (same joints); the next check uses them. Any thread.</summary>
    /// <param name="limits">The limits in joint order.</param>
    public void ApplyLimits(MotorGains limits)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(limits.JointCount, _limits.JointCount, nameof(limits));
        Volatile.Write(ref _limits, limits);
    }

    /// <summary>Asks for a safe stop at the next tick (shutdown, operator). Any thread.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Asks to clear a latched safe stop at the next tick. Any thread.</summary>
    public void RequestReset() => _resetRequested = true;

    /// <summary>Checks one tick's measurement and returns the state the outputs must follow.</summary>
    /// <param name="status">What HAL.Read returned.</param>
    /// <param name="state">The measured state.</param>
    /// <param name="overruns">The motor loop's total overrun count so far.</param>
    /// <param name="nowNs">Monotonic time of the tick (ns).</param>
    /// <returns>The state after this check.</returns>
    public SafetyState Check(HalStatus status, RobotState state, long overruns, long nowNs)
    {
        if (_resetRequested)
        {
            _resetRequested = false;
            _stopRequested = false;
            _staleTicks = 0;
            Array.Fill(_overrunTimes, long.MinValue);
            Volatile.Write(ref _state, (int)SafetyState.Ok);
            Volatile.Write(ref _cause, (int)SafetyCause.None);
        }

        SafetyCause cause = _stopRequested ? SafetyCause.Requested : SafetyCause.None;
        cause = First(cause, CheckFreshness(status, state));
        cause = First(cause, CheckOverruns(overruns, nowNs));
        if (status == HalStatus.Ok || status == HalStatus.NoNewData)
        {
            cause = First(cause, CheckJoints(state));
            cause = First(cause, CheckBase(state));
        }

        if (cause != SafetyCause.None)
        {
            if ((SafetyState)_state != SafetyState.SafeStop)
            {
                Interlocked.Increment(ref _trips[(int)cause]);
                Volatile.Write(ref _cause, (int)cause);
                Volatile.Write(ref _state, (int)SafetyState.SafeStop);
            }

            return SafetyState.SafeStop;
        }

        if ((SafetyState)_state == SafetyState.SafeStop)
        {
            return SafetyState.SafeStop;
        }

        double level = state.Battery.Level;
        SafetyState next = (SafetyState)_state == SafetyState.LowBattery
            ? (level > _options.BatteryLow + BatteryHysteresis ? SafetyState.Ok : SafetyState.LowBattery)
            : (level < _options.BatteryLow ? SafetyState.LowBattery : SafetyState.Ok);
        Volatile.Write(ref _state, (int)next);
        return next;
    }

    private static SafetyCause First(SafetyCause current, SafetyCause candidate) =>
        current != SafetyCause.None ? current : candidate;

    private SafetyCause CheckFreshness(HalStatus status, RobotState state)
    {
        if (status == HalStatus.Fault)
        {
            return SafetyCause.HalFault;
        }

        bool fresh = status == HalStatus.Ok && state.Sequence != _lastSequence;
        _lastSequence = state.Sequence;
        _staleTicks = fresh ? 0 : _staleTicks + 1;
        return _staleTicks > _options.StaleTicks ? SafetyCause.Stale : SafetyCause.None;
    }

    private SafetyCause CheckOverruns(long overruns, long nowNs)
    {
        // Each new overrun takes a slot of a ring holding the times of the last overrun_limit − 1 overruns;
        // when the slot it replaces is still inside the window, overrun_limit overruns fell in one window.
        SafetyCause cause = SafetyCause.None;
        for (long k = _lastOverruns; k < overruns; k++)
        {
            if (_options.OverrunLimit == 1)
            {
                cause = SafetyCause.Overruns;
                continue;
            }

            long oldest = _overrunTimes[_overrunHead];
            _overrunTimes[_overrunHead] = nowNs;
            _overrunHead = (_overrunHead + 1) % _overrunTimes.Length;
            if (oldest != long.MinValue && nowNs - oldest <= _overrunWindowNs)
            {
                cause = SafetyCause.Overruns;
            }
        }

        _lastOverruns = overruns;
        return cause;
    }

    private SafetyCause CheckJoints(RobotState state)
    {
        MotorGains l = Volatile.Read(ref _limits);
        double tolerance = _options.PositionTolerance;
        for (int i = 0; i < l.JointCount; i++)
        {
            double p = state.Position[i];
            double v = state.Velocity[i];
            double effort = state.Effort[i];
            if (!double.IsFinite(p) || !double.IsFinite(v) || !double.IsFinite(effort))
            {
                return SafetyCause.InvalidState;
            }

            if (p < l.PositionMin[i] - tolerance || p > l.PositionMax[i] + tolerance)
            {
                return SafetyCause.JointPosition;
            }

            if (Math.Abs(v) > l.VelocityMax[i] * _options.VelocityTripFactor)
            {
                return SafetyCause.JointVelocity;
            }

            if (Math.Abs(effort) > l.EffortMax[i] * _options.EffortTripFactor)
            {
                return SafetyCause.JointEffort;
            }
        }

        return SafetyCause.None;
    }

    private SafetyCause CheckBase(RobotState state)
    {
        ImuReading imu = state.Imu;
        if (imu.Valid && (!double.IsFinite(imu.TiltRad) || Math.Abs(imu.TiltRad) > _tiltLimitRad))
        {
            return double.IsFinite(imu.TiltRad) ? SafetyCause.Tilt : SafetyCause.InvalidState;
        }

        if (state.Battery.Level < _options.BatteryCritical)
        {
            return SafetyCause.BatteryCritical;
        }

        return _fenceX.Length >= 3 && !InsidePolygon(state.Base.X, state.Base.Y) ? SafetyCause.Geofence : SafetyCause.None;
    }

    private bool InsidePolygon(double x, double y)
    {
        // Ray casting: count the polygon edges a ray from (x, y) toward +x crosses.
        bool inside = false;
        for (int i = 0, j = _fenceX.Length - 1; i < _fenceX.Length; j = i++)
        {
            if ((_fenceY[i] > y) != (_fenceY[j] > y)
                && x < ((_fenceX[j] - _fenceX[i]) * (y - _fenceY[i]) / (_fenceY[j] - _fenceY[i])) + _fenceX[i])
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
