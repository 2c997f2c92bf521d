using EdgeAgent.Configuration;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Sim;

namespace EdgeAgent.Hal;

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
        HalDriver.Ros2 => new Ros2RobotHal(Ros2OptionsFrom(options), clock),
        _ => throw new NotSupportedException(
            $"hal.driver '{options.Hal.Driver.ToString().ToLowerInvariant()}' is not available in this build; use 'sim' or 'ros2'."),
    };

    /// <summary>Maps the <c>hal.ros2</c> section and the joint table onto the ROS 2 driver's options.</summary>
    /// <param name="options">The validated configuration.</param>
    /// <returns>The ROS 2 driver's options.</returns>
    public static Ros2HalOptions Ros2OptionsFrom(AgentOptions options)
    {
        Ros2Options ros2 = options.Hal.Ros2;
        return new Ros2HalOptions
        {
            JointNames = options.Robot.Joints.Select(j => j.Name).ToList(),
            DomainId = ros2.DomainId,
            JointStatesTopic = ros2.JointStatesTopic,
            ImuTopic = ros2.ImuTopic,
            BatteryTopic = ros2.BatteryTopic,
            CommandTopic = ros2.CommandTopic,
            CommandMode = ros2.CommandMode,
            StateQos = ros2.StateQos,
            CommandQos = ros2.CommandQos,
            MaxMessageAge = ros2.MaxMessageAge,
            MaxFutureSkew = ros2.MaxFutureSkew,

            // The receive path feeds the motor loop: one step below it (above the balance loop's default).
            ReceivePriority = options.Timing.MotorPriority > 1 ? options.Timing.MotorPriority - 1 : 0,
        };
    }

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
            RestPose = options.Robot.Joints.Select(j => j.RestOrHome).ToArray(),
            RestStand = sim.RestStand,
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
