namespace EdgeAgent.Hal.Ros2;

/// <summary>
/// Single-writer/single-reader latest-value hand-over of a <see cref="RobotState"/> (triple buffer): the writer
/// fills <see cref="Back"/> and calls <see cref="Publish"/>; the reader calls <see cref="Acquire"/> and reads the
/// returned slot until its next call. Wait-free on both sides: one <see cref="Interlocked.Exchange(ref int, int)"/>
/// (a full fence) per publish and per acquire of a new value. No locks, no allocation.
/// </summary>
internal sealed class LatestStateBuffer
{
    private const int IndexMask = 3;
    private const int Fresh = 4;

    private readonly RobotState[] _slots;
    private int _back;
    private int _front = 1;
    private int _middle = 2;

    public LatestStateBuffer(int jointCount)
    {
        _slots = [new RobotState(jointCount), new RobotState(jointCount), new RobotState(jointCount)];
    }

    /// <summary>Gets the slot the writer fills next (writer thread only).</summary>
    public RobotState Back => _slots[_back];

    /// <summary>Hands <see cref="Back"/> to the reader and takes the stale middle slot as the new back (writer only).</summary>
    public void Publish() => _back = Interlocked.Exchange(ref _middle, _back | Fresh) & IndexMask;

    /// <summary>Returns the latest published slot (reader thread only).</summary>
    public RobotState Acquire()
    {
        if ((Volatile.Read(ref _middle) & Fresh) != 0)
        {
            _front = Interlocked.Exchange(ref _middle, _front) & IndexMask;
        }

        return _slots[_front];
    }
}
