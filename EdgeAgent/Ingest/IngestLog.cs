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

    [LoggerMessage(411, LogLevel.Warning, "Fleet alert: robot {RobotId} {Kind}: {Detail}")]
    public static partial void FleetAlert(ILogger logger, string robotId, string kind, string detail);

    [LoggerMessage(412, LogLevel.Information, "Fleet alert over: robot {RobotId} {Kind} ({Why})")]
    public static partial void FleetAlertCleared(ILogger logger, string robotId, string kind, string why);

    [LoggerMessage(413, LogLevel.Information, "Fleet rule: sending robot {RobotId} {Type} (command {CommandId}): {Reason}")]
    public static partial void FleetRuleCommand(ILogger logger, string robotId, string type, string commandId, string reason);

    [LoggerMessage(414, LogLevel.Information, "Fleet rule: robot {RobotId} {Type} {CommandId} {Status}: {Detail}")]
    public static partial void FleetRuleResult(ILogger logger, string robotId, string type, string commandId, string status, string detail);

    [LoggerMessage(415, LogLevel.Information, "Robot {RobotId} went quiet here but is stored by receiver {Receiver}: no longer watched by this one")]
    public static partial void FleetRobotMoved(ILogger logger, string robotId, string receiver);

    [LoggerMessage(416, LogLevel.Error, "A fleet alert could not be stored: {Reason}")]
    public static partial void FleetAlertNotStored(ILogger logger, string reason);

    [LoggerMessage(417, LogLevel.Error, "The fleet rules failed in this pass; they run again in the next")]
    public static partial void FleetRulesFailed(ILogger logger, Exception exception);

    [LoggerMessage(418, LogLevel.Warning, "Robot {RobotId}: its command link could not be recorded in the store ({Reason}); commands issued at other receivers will not find it")]
    public static partial void CommandLinkNotRecorded(ILogger logger, string robotId, string reason);

    [LoggerMessage(419, LogLevel.Warning, "Robot {RobotId}: the store could not say which receiver holds its command link ({Reason})")]
    public static partial void CommandLinkNotFound(ILogger logger, string robotId, string reason);

    [LoggerMessage(421, LogLevel.Information, "Command for robot {RobotId} forwarded to receiver {Receiver}: {Status}")]
    public static partial void CommandForwarded(ILogger logger, string robotId, string receiver, string status);
}
