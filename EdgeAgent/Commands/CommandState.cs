using EdgeAgent.Protocol.Protos;

namespace EdgeAgent.Commands;

/// <summary>
/// What the fleet asked of this robot and what became of it, for <c>/status</c>, the run summary and
/// <c>/metrics</c>: the link's state, counts by result, the last command, and a pending charge request.
/// Written by the command link (one thread at a time), read by anyone.
/// </summary>
internal sealed class CommandState
{
    private readonly Lock _gate = new();
    private string _link = "off";
    private long _received;
    private long _done;
    private long _refused;
    private long _connects;
    private string _last = string.Empty;
    private ChargeRequest? _charge;

    /// <summary>Gets the link's state: off (no fleet key or endpoint), connecting, connected.</summary>
    public string Link
    {
        get
        {
            lock (_gate)
            {
                return _link;
            }
        }
    }

    /// <summary>Gets how many times the link came up.</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Gets the commands received.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Gets the commands carried out.</summary>
    public long Done => Interlocked.Read(ref _done);

    /// <summary>Gets the commands refused (rejected, expired, not permitted).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Gets the last command and its result in one line (empty before the first).</summary>
    public string Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Gets the fleet's pending go-home/charge request (null: none), which the robot's controller acts on.</summary>
    public ChargeRequest? Charge
    {
        get
        {
            lock (_gate)
            {
                return _charge;
            }
        }
    }

    /// <summary>Records the link's state.</summary>
    /// <param name="link">connecting or connected.</param>
    public void SetLink(string link)
    {
        lock (_gate)
        {
            if (link == "connected" && _link != "connected")
            {
                _connects++;
            }

            _link = link;
        }
    }

    /// <summary>Records a command's result.</summary>
    /// <param name="result">The result sent upstream.</param>
    public void Record(CommandResult result)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref result.Status == CommandResult.Types.Status.Done ? ref _done : ref _refused);
        lock (_gate)
        {
            _last = $"{(result.Type.Length == 0 ? "?" : result.Type)} {result.CommandId} {Name(result.Status)}: {result.Detail}";
        }
    }

    /// <summary>Records a charge request (send_to_charger).</summary>
    /// <param name="request">The request.</param>
    public void RequestCharge(ChargeRequest request)
    {
        lock (_gate)
        {
            _charge = request;
        }
    }

    /// <summary>Clears the charge request (a reset: the operator takes over).</summary>
    public void ClearCharge()
    {
        lock (_gate)
        {
            _charge = null;
        }
    }

    /// <summary>The wire name of a result status (done, rejected, expired, not_permitted).</summary>
    /// <param name="status">The status.</param>
    /// <returns>Its name.</returns>
    public static string Name(CommandResult.Types.Status status) => status switch
    {
        CommandResult.Types.Status.Done => "done",
        CommandResult.Types.Status.Rejected => "rejected",
        CommandResult.Types.Status.Expired => "expired",
        CommandResult.Types.Status.NotPermitted => "not_permitted",
        _ => "undelivered",
    };
}

/// <summary>A go-home/charge request from the fleet.</summary>
/// <param name="CommandId">The command that asked.</param>
/// <param name="At">When it arrived.</param>
/// <param name="Reason">The fleet's reason (such as its battery rule).</param>
/// <param name="BatteryPercent">The battery when it arrived.</param>
internal sealed record ChargeRequest(string CommandId, DateTimeOffset At, string Reason, double BatteryPercent);
