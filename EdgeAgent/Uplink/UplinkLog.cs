using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Uplink;

/// <summary>Log messages of the uplink (event ids 200-299). Never logs payloads or the bearer token.</summary>
internal static partial class UplinkLog
{
    [LoggerMessage(200, LogLevel.Information, "Uplink to {Endpoint}: batches of {BatchSize} samples, spill mode {Mode} at {SpillDirectory}")]
    public static partial void Streaming(ILogger logger, string endpoint, int batchSize, string mode, string spillDirectory);

    [LoggerMessage(201, LogLevel.Warning, "No uplink.endpoint configured: FLIGHT-RECORDER mode, every batch is kept in the spill at {SpillDirectory} (quota {QuotaMb} MB, oldest dropped beyond it); set CLOUD_ENDPOINT or uplink.endpoint to stream")]
    public static partial void FlightRecorder(ILogger logger, string spillDirectory, long quotaMb);

    [LoggerMessage(202, LogLevel.Warning, "Uplink circuit breaker OPEN for {BreakSeconds:F1} s after repeated failures ({Status}); batches go to the spill")]
    public static partial void BreakerOpened(ILogger logger, double breakSeconds, string status);

    [LoggerMessage(203, LogLevel.Information, "Uplink circuit breaker closed: the upstream answers again; replaying the backlog")]
    public static partial void BreakerClosed(ILogger logger);

    [LoggerMessage(204, LogLevel.Debug, "Retrying batch {Seq} in {DelayMs:F0} ms (attempt {Attempt}, {Status})")]
    public static partial void Retrying(ILogger logger, ulong seq, double delayMs, int attempt, string status);

    [LoggerMessage(205, LogLevel.Error, "Batch {RobotId}/{BootId}/{Seq} rejected permanently ({Code}: {Detail}); moved to the dead-letter spill")]
    public static partial void DeadLettered(ILogger logger, string robotId, string bootId, ulong seq, StatusCode code, string detail);

    [LoggerMessage(206, LogLevel.Warning, "Uplink send failed ({Status}); this batch and the next that fail are kept for replay (one line when delivery resumes)")]
    public static partial void SendFailed(ILogger logger, string status);

    [LoggerMessage(207, LogLevel.Information, "Replayed the spill backlog: {Replayed} batches since the upstream came back")]
    public static partial void BacklogDrained(ILogger logger, long replayed);

    [LoggerMessage(208, LogLevel.Information, "Uplink stopped: {InMemory} batch(es) still in memory were written to the spill")]
    public static partial void StoppedSpilled(ILogger logger, int inMemory);

    [LoggerMessage(209, LogLevel.Warning, "The memory queue is over uplink.memory_queue_bytes: {Count} oldest batch(es) moved to the spill")]
    public static partial void QueueOverBudget(ILogger logger, int count);

    [LoggerMessage(210, LogLevel.Information, "Spill recovered at start: {Pending} batch(es) waiting for replay")]
    public static partial void Backlog(ILogger logger, long pending);

    [LoggerMessage(211, LogLevel.Error, "Batch {Seq} was rejected for good but could not be kept in the dead-letter spill {Directory} (its disk is full or failing); it is counted as dead-lettered")]
    public static partial void DeadLetterNotKept(ILogger logger, ulong seq, string directory);

    [LoggerMessage(212, LogLevel.Information, "Uplink delivering again after {Seconds:F1} s of failed sends; {Failed} batch(es) failed meanwhile and were kept for replay")]
    public static partial void DeliveringAgain(ILogger logger, double seconds, long failed);

    [LoggerMessage(213, LogLevel.Error, "Uplink accounting does not balance: {Ledger}. This is a bug; please report it with this line")]
    public static partial void AccountingImbalance(ILogger logger, string ledger);

    [LoggerMessage(214, LogLevel.Information, "Uplink stopped: {Ledger}")]
    public static partial void Stopped(ILogger logger, string ledger);
}
