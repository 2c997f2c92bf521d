using BenchmarkDotNet.Attributes;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;
using EdgeAgent.Hosting;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// Compute time of one motor tick for the shipped 12-joint robot (goal: p99 ≤ 20 µs on the loop thread).
/// <c>MotorControllerCompute</c> is the PID alone; <c>MotorTickWithSimulatedRobot</c> is the whole tick body
/// (HAL read + physics of the simulated robot, safety, mailboxes, PID, HAL write) plus every 10th balance tick.
/// Run: <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*ControlTick*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ControlTickBenchmarks
{
    private SimulatedTimeRunner _runner = null!;
    private MotorController _controller = null!;
    private MotorGains _gains = null!;
    private RobotState _state = null!;
    private JointCommands _commands = null!;
    private double[] _positionRef = null!;
    private double[] _zeros = null!;

    [GlobalSetup]
    public void Setup()
    {
        AgentOptions options = AgentConfigLoader.Load(Path.Combine(AppContext.BaseDirectory, "agent.yaml"), new Dictionary<string, string>());
        var clock = new SimulatedClock(1_000_000_000);
        var robot = new SimulatedRobot(HalFactory.SimOptionsFrom(options), clock);
        var parts = new ControlParts(options, robot);
        robot.Start(CancellationToken.None);
        _runner = new SimulatedTimeRunner(parts, clock, clock.AdvanceTo);
        for (int k = 0; k < 5_000; k++)
        {
            _runner.Step();
        }

        _gains = MotorGains.From(options.Robot, options.Motor);
        _controller = new MotorController(options.Robot.Joints.Count);
        _state = new RobotState(options.Robot.Joints.Count);
        _commands = new JointCommands(options.Robot.Joints.Count);
        _positionRef = options.Robot.Joints.Select(j => j.Home + 0.01).ToArray();
        _zeros = new double[options.Robot.Joints.Count];
    }

    [Benchmark]
    public void MotorControllerCompute() => _controller.Compute(_gains, _state, _positionRef, _zeros, _zeros, 0.001, _commands);

    [Benchmark]
    public void MotorTickWithSimulatedRobot() => _runner.Step();
}
