// Design:
// A physics model of a two-wheeled, wheel-legged robot (Ascento-like), not a mirror of the commands.
// SI units throughout: rad, rad/s, N·m, m, m/s, N, kg, s, W; time stamps in ns of the injected clock.
//
// Joints (every joint, legs and wheels): J·q̈ = τ − b·q̇ − Fc·sign(q̇), where τ is the held motor torque
// (clamped to ±MotorTorqueMax, NaN → 0) minus any injected load. Coulomb friction has a stiction band:
// a joint slower than StictionVelocity whose |τ| ≤ Fc sticks (q̇ = 0); a moving joint that friction and
// damping would carry through zero in one step stops at zero instead, and the next step decides whether
// it breaks away. That keeps the discontinuous friction from chattering at 250 µs substeps.
// Drive wheels carry half the base mass reflected through the wheel: J_eff = J + m·r²/2.
//
// Base (only with wheels): rolling without slip. v = r(q̇L + q̇R)/2, ψ̇ = r(q̇R − q̇L)/W, x and y integrate
// v along the heading ψ. The base's centre of mass is an inverted pendulum of length l on the axle, tilt θ
// positive leaning forward: θ̈ = (g·sinθ − a·cosθ)/l + F_push·cosθ/(m·l), with a = r(q̈L + q̈R)/2.
// Approximation: the pendulum's reaction on the wheels is neglected; the base mass reaches the wheels
// only as reflected inertia. Once |θ| reaches π/2 the robot has fallen: θ is clamped, θ̇ = 0, for good.
// A robot without wheels (wheel indices −1) has a fixed base and a constant tilt.
//
// Integration: semi-implicit (symplectic) Euler in fixed Substep steps; the last step of an advance may
// be shorter so that physics time lands exactly on the clock. Physics runs lazily: Read, Write and every
// disturbance first integrate up to clock.NowNs with the torques held so far (zero-order hold).
//
// Battery (BatteryModel): P = IdlePowerW + Σ|τ·q̇|/0.85 + Σ 0.05·τ², drained per substep.
//
// Determinism: no wall clock, no shared state, no thread pool. Sensor noise comes from a seeded
// xoshiro256** + Box–Muller generator (GaussianNoise), drawn in a fixed order (per joint position then
// velocity, then IMU tilt and tilt rate) and only by a Read that returns Ok. The same options and the
// same sequence of clock times, writes and disturbances give bit-identical states.
//
// Threading: single-threaded. Only the motor loop calls Read and Write; the inspection members are for
// tests on the same thread. Read and Write do not allocate, lock, log or throw: they return HalStatus.
namespace EdgeAgent.Hal.Sim;

/// <summary>
/// A physics-simulated wheel-legged robot behind <see cref="IRobotHal"/>, for development and tests.
/// Time comes from the injected <see cref="IMonotonicClock"/>; physics advances lazily to the clock on every call.
/// </summary>
public sealed partial class SimulatedRobot : IRobotHal
{
    private const double StictionVelocity = 1e-4;
    private const double HalfPi = Math.PI / 2;
    private const double RestStandTolerance = 0.1;

    private readonly SimRobotOptions _options;
    private readonly IMonotonicClock _clock;
    private readonly string[] _jointNames;
    private readonly double[] _q;
    private readonly double[] _qd;
    private readonly double[] _applied;
    private readonly double[] _invInertia;
    private readonly double[] _loadTorque;
    private readonly long[] _loadUntilNs;
    private readonly long[] _stallUntilNs;

    private GaussianNoise _noise = new(0);
    private BatteryModel _battery = new(1.0, 1.0);
    private bool _started;
    private long _physicsNs;
    private long _lastReadNs;
    private long _sequence;

    /// <summary>Initializes a new instance of the <see cref="SimulatedRobot"/> class. The options are validated by <see cref="Start"/>.</summary>
    /// <param name="options">The robot model and sensor options.</param>
    /// <param name="clock">The time source; a <see cref="SimulatedClock"/> in tests.</param>
    public SimulatedRobot(SimRobotOptions options, IMonotonicClock clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        _options = options;
        _clock = clock;
        _jointNames = options.JointNames is null ? [] : [.. options.JointNames];
        var n = _jointNames.Length;
        _q = new double[n];
        _qd = new double[n];
        _applied = new double[n];
        _invInertia = new double[n];
        _loadTorque = new double[n];
        _loadUntilNs = new long[n];
        _stallUntilNs = new long[n];
        JointNames = Array.AsReadOnly(_jointNames);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> JointNames { get; }

    /// <summary>Gets the true tilt of the base (rad), positive leaning forward.</summary>
    public double TrueTiltRad => _tilt;

    /// <summary>Gets the true tilt rate of the base (rad/s).</summary>
    public double TrueTiltRateRadPerSec => _tiltRate;

    /// <summary>Gets the true pose and forward velocity of the base.</summary>
    public BaseReading TrueBase => new(_x, _y, _heading, _forwardVelocity);

    /// <summary>Gets a value indicating whether the base has tipped over (|tilt| reached π/2); a fallen robot stays fallen.</summary>
    public bool HasFallen => _fallen;

    /// <summary>Gets a value indicating whether the chassis sits on its rest stand (see <see cref="SimRobotOptions.RestStand"/>).</summary>
    public bool IsOnRestStand => _seated;

    /// <summary>Gets the true battery state of charge, 0 to 1.</summary>
    public double BatteryLevel => _battery.Level;

    /// <summary>Gets the time (ns, clock time base) up to which the physics has been integrated.</summary>
    public long PhysicsTimeNs => _physicsNs;

    /// <summary>Gets the true position of a joint (rad).</summary>
    /// <param name="joint">The joint index.</param>
    /// <returns>The position, without sensor noise.</returns>
    public double TrueJointPosition(int joint) => _q[CheckJoint(joint)];

    /// <summary>Gets the true velocity of a joint (rad/s).</summary>
    /// <param name="joint">The joint index.</param>
    /// <returns>The velocity, without sensor noise.</returns>
    public double TrueJointVelocity(int joint) => _qd[CheckJoint(joint)];

    /// <summary>Gets the motor torque a joint applies now (N·m): the last command, clamped, NaN as 0.</summary>
    /// <param name="joint">The joint index.</param>
    /// <returns>The applied torque.</returns>
    public double AppliedTorque(int joint) => _applied[CheckJoint(joint)];

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The options are invalid; the message names the option and the fix.</exception>
    public void Start(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _options.Validate();
        if (_options.JointNames.Count != _jointNames.Length)
        {
            throw new ArgumentException(
                $"SimRobotOptions.JointNames changed after the SimulatedRobot was constructed ({_jointNames.Length} → {_options.JointNames.Count} joints); set the options before constructing it.",
                nameof(cancellationToken));
        }

        LoadParameters(_options);
        _noise = new GaussianNoise(_options.Seed);
        _battery = new BatteryModel(_options.BatteryCapacityWh, _options.BatteryInitialLevel);
        _physicsNs = _clock.NowNs;
        _lastReadNs = long.MinValue;
        _sequence = 0;
        _started = true;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Integrates the physics up to the clock, then fills <paramref name="state"/>. Returns
    /// <see cref="HalStatus.NoNewData"/> when the clock has not moved since the last read or during a sensor
    /// dropout, <see cref="HalStatus.NotConnected"/> before <see cref="Start"/>, and <see cref="HalStatus.Fault"/>
    /// for a state of the wrong size.
    /// </remarks>
    public HalStatus Read(RobotState state)
    {
        if (!_started)
        {
            return HalStatus.NotConnected;
        }

        if (state is null || state.JointCount != _q.Length)
        {
            return HalStatus.Fault;
        }

        var now = _clock.NowNs;
        if (now <= _lastReadNs)
        {
            return HalStatus.NoNewData;
        }

        _lastReadNs = now;
        AdvanceTo(now);
        if (now < _dropUntilNs)
        {
            return HalStatus.NoNewData;
        }

        FillState(state);
        return HalStatus.Ok;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Integrates the physics up to the clock with the previous torques, then holds the new efforts, clamped to
    /// ±<see cref="SimRobotOptions.MotorTorqueMax"/> (NaN as 0). Returns <see cref="HalStatus.Fault"/> for
    /// commands of the wrong size and <see cref="HalStatus.NotConnected"/> before <see cref="Start"/>.
    /// </remarks>
    public HalStatus Write(JointCommands commands)
    {
        if (!_started)
        {
            return HalStatus.NotConnected;
        }

        if (commands is null || commands.JointCount != _applied.Length)
        {
            return HalStatus.Fault;
        }

        AdvanceTo(_clock.NowNs);
        var effort = commands.Effort;
        for (var i = 0; i < _applied.Length; i++)
        {
            var tau = effort[i];
            _applied[i] = double.IsNaN(tau) ? 0.0 : Math.Clamp(tau, -_torqueMax, _torqueMax);
        }

        return HalStatus.Ok;
    }

    /// <summary>Stops the simulation; later reads and writes return <see cref="HalStatus.NotConnected"/>.</summary>
    public void Dispose() => _started = false;

    private void FillState(RobotState state)
    {
        var position = state.Position;
        var velocity = state.Velocity;
        var effort = state.Effort;
        for (var i = 0; i < _q.Length; i++)
        {
            position[i] = _q[i] + (_positionSigma * _noise.NextStandard());
            velocity[i] = _qd[i] + (_velocitySigma * _noise.NextStandard());
            effort[i] = _applied[i] + (_physicsNs < _loadUntilNs[i] ? _loadTorque[i] : 0.0);
        }

        var tilt = _tilt + (_imuSigma * _noise.NextStandard());
        var tiltRate = _tiltRate + (_imuSigma * _noise.NextStandard());
        state.Imu = new ImuReading(tilt, tiltRate, _yawRate, Valid: true);
        state.Base = new BaseReading(_x, _y, _heading, _forwardVelocity);
        state.Battery = _battery.Reading();
        state.StampNs = _physicsNs;
        state.Sequence = ++_sequence;
    }

    private int CheckJoint(int joint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(joint);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(joint, _q.Length);
        return joint;
    }
}
