using Microsoft.Extensions.Logging;

namespace EdgeAgent.Commands;

/// <summary>The command link's log messages (never the token).</summary>
internal static partial class CommandsLog
{
    [LoggerMessage(1, LogLevel.Information, "Fleet command {Type} {Id} received (expires {Expires:O})")]
    public static partial void Received(ILogger logger, string type, string id, DateTimeOffset expires);

    [LoggerMessage(2, LogLevel.Information, "Fleet command {Type} {Id} done: {Detail}")]
    public static partial void Done(ILogger logger, string type, string id, string detail);

    [LoggerMessage(3, LogLevel.Warning, "Fleet command {Type} {Id} {Status}: {Detail}")]
    public static partial void Refused(ILogger logger, string type, string id, string status, string detail);

    [LoggerMessage(4, LogLevel.Information, "Command link to {Endpoint} up (robot {RobotId}, allowed: {Allowed})")]
    public static partial void Connected(ILogger logger, string endpoint, string robotId, string allowed);

    [LoggerMessage(5, LogLevel.Warning, "Command link to {Endpoint} down: {Reason}; reconnecting in {Delay}")]
    public static partial void Disconnected(ILogger logger, string endpoint, string reason, TimeSpan delay);

    [LoggerMessage(6, LogLevel.Information, "Command link off: {Why}")]
    public static partial void Off(ILogger logger, string why);
}
