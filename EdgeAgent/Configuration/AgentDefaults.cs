namespace EdgeAgent.Configuration;

/// <summary>The defaults of the configuration keys that more than one place needs.</summary>
public static class AgentDefaults
{
    /// <summary>The configuration file of a robot installation.</summary>
    public const string ConfigPath = "/etc/edge-agent/agent.yaml";

    /// <summary>The default robot id.</summary>
    public const string RobotId = "robot-001";

    /// <summary>The default motor loop rate (Hz).</summary>
    public const double MotorRateHz = 1000.0;

    /// <summary>The default balance loop rate (Hz).</summary>
    public const double BalanceRateHz = 100.0;

    /// <summary>The default joint velocity limit (rad/s).</summary>
    public const double JointVelocityMax = 20.0;

    /// <summary>The default joint effort limit (N·m).</summary>
    public const double JointEffortMax = 40.0;

    /// <summary>The exit code for an invalid configuration (EX_CONFIG from sysexits.h).</summary>
    public const int ExitConfig = 78;
}
