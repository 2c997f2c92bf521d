// Design: the safety supervisor runs inside the motor tick, after HAL.Read and before the controllers.
//
// Threads: Check() is called only by the motor thread; it owns every field except the request flags.
// RequestStop(), RequestShutdown() and RequestReset() may be called from any thread (host, signal handler);
// they set volatile flags that the next Check() consumes, so a stop or reset takes effect between ticks,
// never inside one. State, cause, phase and counters are published with Volatile writes for readers on
// other threads (status line, summary, shutdown).
// Invariants: SafeStop is latched: only a reset request clears it, and a reset while the condition still
// holds trips again on the same tick. A shutdown stop is irrevocable: once RequestShutdown() was called no
// reset clears it. A trip is counted once per latch, under its first cause; the latch picks the cause's
// stop category (safety.stop_actions) and ControlledStop runs the sequence. During a controlled stop a
// second, different fault escalates to category 0 (the base may fall, but a robot whose measurements or
// loops are failing must not keep driving). Every tick reads its limits from the one ControlTuning snapshot
// the motor loop hands it. Nothing here allocates, locks, logs or throws.
using EdgeAgent.Configuration;
using EdgeAgent.Hal;

namespace EdgeAgent.Control.Safety;

/// <summary>Checks the robot every motor tick, latches SAFE_STOP with a cause and runs the stop's sequence.</summary>
internal sealed class SafetySupervisor
{
    private const double BatteryHysteresis = 0.02;

    private readonly StallMonitor _stalls;
    private readonly ControlledStop _stop;
    private readonly long[] _trips = new long[Enum.GetValues<SafetyCause>().Length];
    private readonly long[] _escalations = new long[Enum.GetValues<StopEscalation>().Length];

    private long _lastSequence = long.MinValue;
    private int _staleTicks;
    private int _state;
    private int _cause;
    private int _phase;
    private int _category;
    private int _lastEscalation;
    private long _stopSequence;
    private long _tripGapNs;
    private double _tripMissedShare;
    private long _resetsRefused;
    private long _balanceGapNs;
    private volatile bool _stopRequested;
    private volatile bool _shutdown;
    private volatile bool _resetRequested;

    /// <summary>Initializes a new instance of the <see cref="SafetySupervisor"/> class.</summary>
    /// <param name="options">The whole validated configuration.</param>
    public SafetySupervisor(AgentOptions options)
    {
        _stalls = new StallMonitor(options.Safety.MissedPeriodWindow);
        _stop = new ControlledStop(options);
    }

    /// <summary>Gets the current state.</summary>
    public SafetyState State => (SafetyState)Volatile.Read(ref _state);

    /// <summary>Gets the cause of the current (or last) safe stop.</summary>
    public SafetyCause Cause => (SafetyCause)Volatile.Read(ref _cause);

    /// <summary>Gets where the current stop is in its sequence (<see cref="StopPhase.None"/> when not stopped).</summary>
    public StopPhase Phase => (StopPhase)Volatile.Read(ref _phase);

    /// <summary>Gets the category of the current (or last) stop.</summary>
    public StopCategory Category => (StopCategory)Volatile.Read(ref _category);

    /// <summary>Gets why the last stop escalated to category 0, if it did.</summary>
    public StopEscalation LastEscalation => (StopEscalation)Volatile.Read(ref _lastEscalation);

    /// <summary>Gets a number that changes at every latch (the balance loop re-anchors on it).</summary>
    public long StopSequence => Volatile.Read(ref _stopSequence);

    /// <summary>Gets a value indicating whether the shutdown stop was requested (irrevocable).</summary>
    public bool ShutdownRequested => _shutdown;

    /// <summary>Gets how many resets were refused because a shutdown stop was under way.</summary>
    public long ResetsRefused => Volatile.Read(ref _resetsRefused);

    /// <summary>Gets the control gap that tripped the last <c>overruns</c> stop (ns); 0 when it was the missed share.</summary>
    public long TripGapNs => Volatile.Read(ref _tripGapNs);

    /// <summary>Gets the missed share that tripped the last <c>overruns</c> stop (0..1); 0 when it was a gap.</summary>
    public double TripMissedShare => Volatile.Read(ref _tripMissedShare);

    /// <summary>Gets the stall figures of the motor loop (longest gap so far).</summary>
    public StallMonitor Stalls => _stalls;

    /// <summary>Gets the stop sequence; the motor loop asks it for the leg references of a controlled stop.</summary>
    internal ControlledStop Stop => _stop;

    /// <summary>Gets how many times each cause tripped a safe stop.</summary>
    /// <param name="cause">The cause.</param>
    /// <returns>The trip count.</returns>
    public long Trips(SafetyCause cause) => Volatile.Read(ref _trips[(int)cause]);

    /// <summary>Gets how many controlled stops escalated to category 0 for <paramref name="reason"/>.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The count.</returns>
    public long Escalations(StopEscalation reason) => Volatile.Read(ref _escalations[(int)reason]);

    /// <summary>Asks for a safe stop at the next tick (an operator). Any thread.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Asks for the shutdown stop at the next tick; no reset can cancel it. Any thread.</summary>
    public void RequestShutdown()
    {
        _shutdown = true;
        _stopRequested = true;
    }

    /// <summary>Asks to clear a latched safe stop at the next tick (refused during a shutdown stop). Any thread.</summary>
    /// <returns><see langword="false"/> when refused because the agent is shutting down.</returns>
    public bool RequestReset()
    {
        if (_shutdown)
        {
            Interlocked.Increment(ref _resetsRefused);
            return false;
        }

        _resetRequested = true;
        return true;
    }

    /// <summary>Checks one tick's measurement, advances the stop sequence, and returns the state the outputs must follow.</summary>
    /// <param name="status">What HAL.Read returned.</param>
    /// <param name="state">The measured state.</param>
    /// <param name="tuning">The tick's tuning snapshot.</param>
    /// <param name="overruns">The motor loop's total missed periods so far.</param>
    /// <param name="nowNs">Monotonic time of the tick (ns).</param>
    /// <param name="balanceGapNs">How much older than one balance period the balance command in use is (ns); 0 without a balance loop.</param>
    /// <returns>The state after this check.</returns>
    public SafetyState Check(HalStatus status, RobotState state, ControlTuning tuning, long overruns, long nowNs, long balanceGapNs = 0)
    {
        SafetyLimits limits = tuning.Safety;
        if (_resetRequested)
        {
            _resetRequested = false;
            if (!_shutdown)
            {
                _stopRequested = false;
                _staleTicks = 0;
                _stalls.Restart();
                _stop.Clear();
                Volatile.Write(ref _phase, (int)StopPhase.None);
                Volatile.Write(ref _state, (int)SafetyState.Ok);
                Volatile.Write(ref _cause, (int)SafetyCause.None);
            }
        }

        _balanceGapNs = balanceGapNs;
        _stalls.Record(nowNs, overruns, balanceGapNs);
        SafetyCause fault = CheckFreshness(status, state, limits);
        fault = First(fault, CheckStalls(limits, balanceGapNs));
        if (status == HalStatus.Ok || status == HalStatus.NoNewData)
        {
            fault = First(fault, CheckJoints(state, tuning.Motor, limits));
            fault = First(fault, CheckBase(state, limits));
        }

        if ((SafetyState)_state == SafetyState.SafeStop)
        {
            ContinueStop(fault, state, limits, nowNs);
            return SafetyState.SafeStop;
        }

        SafetyCause cause = _stopRequested ? SafetyCause.Requested : fault;

        if (cause != SafetyCause.None)
        {
            Latch(cause, state, limits, nowNs);
            return SafetyState.SafeStop;
        }

        double level = state.Battery.Level;
        SafetyState next = (SafetyState)_state == SafetyState.LowBattery
            ? (level > limits.BatteryLow + BatteryHysteresis ? SafetyState.Ok : SafetyState.LowBattery)
            : (level < limits.BatteryLow ? SafetyState.LowBattery : SafetyState.Ok);
        Volatile.Write(ref _state, (int)next);
        return next;
    }

    private static SafetyCause First(SafetyCause current, SafetyCause candidate) =>
        current != SafetyCause.None ? current : candidate;

    private void Latch(SafetyCause cause, RobotState state, SafetyLimits limits, long nowNs)
    {
        StopCategory category = limits.CategoryOf(cause);
        _stop.Begin(category, state, nowNs);
        if (cause == SafetyCause.Overruns)
        {
            long gapNs = Math.Max(_stalls.GapNs, _balanceGapNs);
            bool gap = gapNs > limits.MaxControlGapNs;
            Volatile.Write(ref _tripGapNs, gap ? gapNs : 0);
            Volatile.Write(ref _tripMissedShare, gap ? 0.0 : _stalls.MissedShare);
        }

        Interlocked.Increment(ref _trips[(int)cause]);
        Volatile.Write(ref _stopSequence, _stopSequence + 1);
        Volatile.Write(ref _lastEscalation, (int)StopEscalation.None);
        Volatile.Write(ref _category, (int)category);
        Volatile.Write(ref _cause, (int)cause);
        Volatile.Write(ref _phase, (int)_stop.Phase);
        Volatile.Write(ref _state, (int)SafetyState.SafeStop);
    }

    private void ContinueStop(SafetyCause fault, RobotState state, SafetyLimits limits, long nowNs)
    {
        StopEscalation escalation = StopEscalation.None;
        if (_shutdown)
        {
            // The process is about to end: a category 2 hold cannot outlive it, so finish as 'requested' says.
            _stop.FinishAs(limits.CategoryOf(SafetyCause.Requested));
        }

        if (_stop.Phase != StopPhase.TorqueOff)
        {
            // A different fault during a controlled stop (not the request of a stop itself) escalates.
            if (fault != SafetyCause.None && fault != (SafetyCause)_cause)
            {
                _stop.Escalate();
                escalation = StopEscalation.SecondFault;
            }
            else
            {
                escalation = _stop.Advance(state, limits, nowNs);
            }
        }

        if (escalation != StopEscalation.None)
        {
            Interlocked.Increment(ref _escalations[(int)escalation]);
            Volatile.Write(ref _lastEscalation, (int)escalation);
        }

        Volatile.Write(ref _category, (int)_stop.Category);
        Volatile.Write(ref _phase, (int)_stop.Phase);
    }

    private SafetyCause CheckFreshness(HalStatus status, RobotState state, SafetyLimits limits)
    {
        if (status == HalStatus.Fault)
        {
            return SafetyCause.HalFault;
        }

        bool fresh = status == HalStatus.Ok && state.Sequence != _lastSequence;
        _lastSequence = state.Sequence;
        _staleTicks = fresh ? 0 : _staleTicks + 1;
        return _staleTicks > limits.StaleTicks ? SafetyCause.Stale : SafetyCause.None;
    }

    private SafetyCause CheckStalls(SafetyLimits limits, long balanceGapNs)
    {
        bool tripped = _stalls.GapNs > limits.MaxControlGapNs
            || balanceGapNs > limits.MaxControlGapNs
            || _stalls.MissedShare > limits.MissedPeriodLimit;
        return tripped ? SafetyCause.Overruns : SafetyCause.None;
    }

    private static SafetyCause CheckJoints(RobotState state, MotorGains l, SafetyLimits limits)
    {
        double tolerance = limits.PositionTolerance;
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

            if (Math.Abs(v) > l.VelocityMax[i] * limits.VelocityTripFactor)
            {
                return SafetyCause.JointVelocity;
            }

            if (Math.Abs(effort) > l.EffortMax[i] * limits.EffortTripFactor)
            {
                return SafetyCause.JointEffort;
            }
        }

        return SafetyCause.None;
    }

    private static SafetyCause CheckBase(RobotState state, SafetyLimits limits)
    {
        ImuReading imu = state.Imu;
        if (imu.Valid && (!double.IsFinite(imu.TiltRad) || Math.Abs(imu.TiltRad) > limits.TiltLimitRad))
        {
            return double.IsFinite(imu.TiltRad) ? SafetyCause.Tilt : SafetyCause.InvalidState;
        }

        if (state.Battery.Level < limits.BatteryCritical)
        {
            return SafetyCause.BatteryCritical;
        }

        return limits.FenceX.Length >= 3 && !InsidePolygon(limits.FenceX, limits.FenceY, state.Base.X, state.Base.Y) ? SafetyCause.Geofence : SafetyCause.None;
    }

    private static bool InsidePolygon(double[] fenceX, double[] fenceY, double x, double y)
    {
        // Ray casting: count the polygon edges a ray from (x, y) toward +x crosses.
        bool inside = false;
        for (int i = 0, j = fenceX.Length - 1; i < fenceX.Length; j = i++)
        {
            if ((fenceY[i] > y) != (fenceY[j] > y)
                && x < ((fenceX[j] - fenceX[i]) * (y - fenceY[i]) / (fenceY[j] - fenceY[i])) + fenceX[i])
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
