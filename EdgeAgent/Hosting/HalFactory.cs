using EdgeAgent.Configuration;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Sim;

namespace EdgeAgent.Hosting;

/// <summary>Creates the HAL driver that <c>hal.driver</c> selects.</summary>
internal static class HalFactory
{
    /// <summary>Creates the driver.</summary>
    /// <param name="options">The validated configuration.</param>
    /// <param name="clock">The clock the loops run on.</param>
    /// <returns>The driver, not yet started.</returns>
    public static IRobotHal Create(AgentOptions options, IMonotonicClock clock) => options.Hal.Driver switch
    {
        HalDriver.Sim => new SimulatedRobot(SimOptionsFrom(options), clock),
        _ => throw new NotSupportedException(
            $"hal.driver '{options.Hal.Driver.ToString().ToLowerInvariant()}' is not available in this build; use 'sim'."),
    };

    /// <summary>Maps the <c>hal.sim</c> section and the joint table onto the simulated robot's options.</summary>
    /// <param name="options">The validated configuration.</param>
    /// <returns>The simulated robot's options.</returns>
    public static SimRobotOptions SimOptionsFrom(AgentOptions options)
    {
        SimOptions sim = options.Hal.Sim;
        var names = options.Robot.Joints.Select(j => j.Name).ToList();
        List<string> drive = options.Balance.DriveJoints;
        return new SimRobotOptions
        {
            JointNames = names,
            LeftWheelIndex = drive.Count == 2 ? names.IndexOf(drive[0]) : -1,
            RightWheelIndex = drive.Count == 2 ? names.IndexOf(drive[1]) : -1,
            WheelRadius = options.Balance.WheelRadius,
            TrackWidth = sim.TrackWidth,
            JointInertia = sim.JointInertia,
            JointDamping = sim.JointDamping,
            JointFriction = sim.JointFriction,
            MotorTorqueMax = sim.MotorTorqueMax,
            BaseMass = sim.BaseMass,
            PendulumLength = sim.PendulumLength,
            InitialTiltRad = sim.InitialTiltDeg * Math.PI / 180.0,
            InitialJointPositions = options.Robot.Joints.Select(j => j.Home).ToArray(),
            Seed = sim.Seed,
            PositionNoise = sim.PositionNoise,
            VelocityNoise = sim.VelocityNoise,
            ImuNoise = sim.ImuNoise,
            BatteryCapacityWh = sim.BatteryCapacityWh,
            BatteryInitialLevel = sim.BatteryInitialLevel,
            IdlePowerW = sim.IdlePowerW,
        };
    }
}
