using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;

namespace EdgeAgent.Control;

/// <summary>
/// One balance tick: take the latest base state from the motor loop, compute the base acceleration, hand the
/// motion reference back. The body the 100 Hz loop thread runs; it never allocates, locks, logs or throws.
/// </summary>
internal sealed class BalanceLoop : ILoopBody
{
    private readonly BalanceController _controller;
    private readonly SafetySupervisor _safety;
    private readonly TuningCell _tuning;
    private readonly Mailbox<BalanceInput> _fromMotor;
    private readonly Mailbox<BalanceCommand> _toMotor;
    private readonly double _periodSeconds;
    private long _lastNs = long.MinValue;
    private long _ticks;
    private long _noInput;
    private double _lastTilt;
    private double _maxAbsTilt;
    private long _anchoredStop;

    /// <summary>Initializes a new instance of the <see cref="BalanceLoop"/> class.</summary>
    /// <param name="parts">The parts of the control stack this loop uses.</param>
    public BalanceLoop(ControlParts parts)
    {
        _controller = parts.Balance;
        _safety = parts.Safety;
        _tuning = parts.Tuning;
        _fromMotor = parts.ToBalance;
        _toMotor = parts.FromBalance;
        _periodSeconds = 1.0 / parts.BalanceRateHz;
    }

    /// <summary>Gets the number of ticks run.</summary>
    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Gets how many ticks found no base state to work from.</summary>
    public long TicksWithoutInput => Volatile.Read(ref _noInput);

    /// <summary>Gets the filtered tilt of the last tick (rad).</summary>
    public double EstimatedTilt => Volatile.Read(ref _lastTilt);

    /// <summary>Gets the largest filtered tilt magnitude seen while the base was under control, stops included (rad).</summary>
    public double MaxAbsTilt => Volatile.Read(ref _maxAbsTilt);

    /// <inheritdoc/>
    void ILoopBody.Tick(in LoopTick tick) => Tick(tick.WakeNs);

    /// <summary>Runs one tick.</summary>
    /// <param name="nowNs">The tick's wake-up time on the loop clock (ns).</param>
    public void Tick(long nowNs)
    {
        double dt = _lastNs == long.MinValue ? _periodSeconds : Math.Clamp((nowNs - _lastNs) * 1e-9, 1e-5, 10 * _periodSeconds);
        _lastNs = nowNs;
        Volatile.Write(ref _ticks, _ticks + 1);

        // A controlled stop keeps balancing (around the point where it began); only without torque is there nothing to do.
        StopPhase phase = _safety.Phase;
        if (phase == StopPhase.TorqueOff)
        {
            _controller.Reset();
            _toMotor.Publish(new BalanceCommand(nowNs, 0.0, 0.0, 0.0));
            return;
        }

        if (phase != StopPhase.None && _safety.StopSequence != _anchoredStop)
        {
            _anchoredStop = _safety.StopSequence;
            _controller.AnchorHere();
        }

        if (!_fromMotor.TryRead(out BalanceInput input))
        {
            _noInput++;
            return;
        }

        double acceleration = _controller.Compute(_tuning.Current.Balance, input, dt);
        double tilt = _controller.EstimatedTilt;
        Volatile.Write(ref _lastTilt, tilt);
        if (Math.Abs(tilt) > _maxAbsTilt)
        {
            Volatile.Write(ref _maxAbsTilt, Math.Abs(tilt));
        }
        _toMotor.Publish(new BalanceCommand(nowNs, input.VelocityMps, acceleration, _controller.EstimatedTilt));
    }
}
