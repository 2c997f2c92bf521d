using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Ingest;

/// <summary>Log messages of the reference receiver (event ids 400-499).</summary>
internal static partial class IngestLog
{
    [LoggerMessage(400, LogLevel.Information, "Reference receiver listening on {Address} (TLS {Tls}, token {TokenCheck}, store {Store})")]
    public static partial void Listening(ILogger logger, Uri address, bool tls, bool tokenCheck, string store);

    [LoggerMessage(401, LogLevel.Warning, "Rejected batch {RobotId}/{BootId}/{Seq}: {Reason}")]
    public static partial void BatchRejected(ILogger logger, string robotId, string bootId, ulong seq, string reason);

    [LoggerMessage(402, LogLevel.Warning, "Rejected a call from {Peer}: missing or wrong bearer token")]
    public static partial void Unauthenticated(ILogger logger, string peer);

    [LoggerMessage(403, LogLevel.Debug, "Fault injected: {Code}")]
    public static partial void FaultInjected(ILogger logger, StatusCode code);

    [LoggerMessage(404, LogLevel.Debug, "Duplicate batch {RobotId}/{BootId}/{Seq}")]
    public static partial void Duplicate(ILogger logger, string robotId, string bootId, ulong seq);

    [LoggerMessage(405, LogLevel.Error, "Could not store batch {RobotId}/{BootId}/{Seq} in {Store}; answered Unavailable")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string robotId, string bootId, ulong seq, string store);

    [LoggerMessage(406, LogLevel.Information, "Reference receiver on {Address} stopped")]
    public static partial void Stopped(ILogger logger, Uri address);

    [LoggerMessage(407, LogLevel.Information, "Command link of robot {RobotId} up (boot {BootId}, from {Peer})")]
    public static partial void CommandLinkUp(ILogger logger, string robotId, string bootId, string peer);

    [LoggerMessage(408, LogLevel.Information, "Command link of robot {RobotId} down")]
    public static partial void CommandLinkDown(ILogger logger, string robotId);

    [LoggerMessage(409, LogLevel.Information, "Robot {RobotId}: command {Type} {CommandId} {Status}: {Detail}")]
    public static partial void CommandResult(ILogger logger, string robotId, string commandId, string type, string status, string detail);

    [LoggerMessage(410, LogLevel.Error, "Robot {RobotId}: the result of command {CommandId} could not be stored: {Reason}")]
    public static partial void CommandEventNotStored(ILogger logger, string robotId, string commandId, string reason);
}
