using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Uplink;

/// <summary>The telemetry uplink (<c>uplink:</c>).</summary>
public sealed class UplinkOptions
{
    /// <summary>
    /// Gets or sets the ingest endpoint (<c>https://host:port</c>); overridden by the <c>CLOUD_ENDPOINT</c>
    /// environment variable. Empty: no upstream (flight-recorder mode: batches go to the spill). The default value is empty.
    /// </summary>
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets how batches travel: <c>stream</c>, one long-lived call carrying every batch and its own
    /// acknowledgement; <c>unary</c>, one call per batch (for a receiver or proxy without streaming). Either way
    /// each batch has its own timeout, retries and outcome. The default value is <see cref="UplinkTransport.Stream"/>.
    /// </summary>
    public UplinkTransport Transport { get; set; } = UplinkTransport.Stream;

    /// <summary>Gets or sets the samples per batch. The default value is 100.</summary>
    [Range(1, EdgeAgent.Protocol.BatchLimits.MaxSamples)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Gets or sets the longest a partly filled batch waits before it is sent. The default value is 1 s.</summary>
    public TimeSpan BatchMaxAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the timeout of one send attempt. The default value is 5 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the retries of one batch before it goes to the spill (on transient errors). The default value is 4.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>Gets or sets the first retry delay; later ones grow exponentially with jitter. The default value is 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest retry delay (also caps a server-requested delay). The default value is 30 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the failure ratio over <see cref="BreakerSamplingDuration"/> that opens the circuit breaker. The default value is 0.5.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets the window over which the breaker measures failures. The default value is 10 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the fewest calls in the window before the breaker may open. The default value is 5.</summary>
    [Range(2, 100000)]
    public int BreakerMinimumThroughput { get; set; } = 5;

    /// <summary>Gets or sets how long the breaker stays open before it lets a trial call through. The default value is 5 s.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the bytes of batches held in memory waiting to be sent; past it the oldest go to the spill. The default value is 8 MiB.</summary>
    [Range(65536L, 1L << 34)]
    public long MemoryQueueBytes { get; set; } = 8L << 20;

    /// <summary>Gets or sets the most backlog (spilled) batches replayed per second while live batches flow (the replay steps aside while live batches queue up). The default value is 1000: a 1 h outage at 100 Hz sampling (3,600 batches) drains in about 4 s, at 1 kHz (36,000) in about 36 s, where the link carries it.</summary>
    [Range(1.0, 1e6)]
    public double ReplayRatePerSecond { get; set; } = 1000.0;

    /// <summary>Gets or sets a value indicating whether batches are gzip-compressed on the wire. The default value is <see langword="false"/>.</summary>
    public bool Gzip { get; set; }

    /// <summary>Gets or sets a PEM file of the CA that signed the ingest server's certificate (https only). Empty: the system trust store. The default value is empty.</summary>
    public string CaFile { get; set; } = string.Empty;

    /// <summary>Gets or sets a file holding the bearer token sent with every batch (it must not be readable by others; it is never logged). Empty: no token. The default value is empty.</summary>
    public string TokenFile { get; set; } = string.Empty;
}

/// <summary>How batches travel to the receiver (<c>uplink.transport</c>).</summary>
public enum UplinkTransport
{
    /// <summary>One long-lived <c>Stream</c> call; each batch is acknowledged on it by boot id and seq.</summary>
    Stream,

    /// <summary>One <c>Send</c> call per batch.</summary>
    Unary,
}
