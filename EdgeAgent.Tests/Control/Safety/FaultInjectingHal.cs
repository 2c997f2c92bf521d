using EdgeAgent.Hal;

namespace EdgeAgent.Tests.Control.Safety;

/// <summary>Wraps a HAL and lets a test corrupt what it reads, or its status, from a given moment on.</summary>
internal sealed class FaultInjectingHal(IRobotHal inner) : IRobotHal
{
    public Action<RobotState>? Corrupt { get; set; }

    public HalStatus? ForcedStatus { get; set; }

    public IReadOnlyList<string> JointNames => inner.JointNames;

    public void Start(CancellationToken cancellationToken) => inner.Start(cancellationToken);

    public HalStatus Read(RobotState state)
    {
        HalStatus status = inner.Read(state);
        Corrupt?.Invoke(state);
        return ForcedStatus ?? status;
    }

    public HalStatus Write(JointCommands commands) => inner.Write(commands);

    public void Dispose() => inner.Dispose();
}
