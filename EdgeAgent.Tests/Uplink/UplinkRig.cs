using System.Net;
using EdgeAgent.Configuration;
using EdgeAgent.Ingest;
using EdgeAgent.Sampling;
using EdgeAgent.Tests.Control;
using EdgeAgent.Uplink;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Uplink;

/// <summary>
/// A real <see cref="TelemetryUplink"/> (real spill files in a temp directory, real gRPC) feeding a real
/// reference receiver (Kestrel on 127.0.0.1), with samples written straight into its ring.
/// </summary>
internal sealed class UplinkRig : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;
    private long _produced;
    private bool _ownsDirectory;

    private UplinkRig(AgentOptions options, ReferenceReceiver? receiver, string directory, ILogger? logger)
    {
        Options = options;
        Receiver = receiver;
        Directory = directory;
        Ring = new SpscRing<TelemetrySample>(options.Sampling.RingCapacity);
        Uplink = new TelemetryUplink(options, Ring, "boot-" + Guid.NewGuid().ToString("N")[..8], logger ?? NullLogger.Instance, TimeProvider.System);
    }

    public AgentOptions Options { get; }

    public ReferenceReceiver? Receiver { get; }

    public string Directory { get; }

    public SpscRing<TelemetrySample> Ring { get; }

    public TelemetryUplink Uplink { get; }

    public string RobotId => Options.Robot.Id;

    /// <summary>Options for fast tests: short retries and breaker, small batches' max age, no fsync.</summary>
    public static AgentOptions TestOptions(string spillDirectory, Uri? endpoint)
    {
        AgentOptions o = ControlRig.Fresh();
        o.Uplink.Endpoint = endpoint?.ToString() ?? string.Empty;
        o.Uplink.AttemptTimeout = TimeSpan.FromMilliseconds(500);
        o.Uplink.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
        o.Uplink.RetryMaxDelay = TimeSpan.FromSeconds(1);
        o.Uplink.MaxRetries = 2;
        o.Uplink.BreakerBreakDuration = TimeSpan.FromMilliseconds(500);
        o.Uplink.BreakerSamplingDuration = TimeSpan.FromSeconds(2);
        o.Uplink.BatchMaxAge = TimeSpan.FromMilliseconds(100);
        o.Uplink.ReplayRatePerSecond = 1000;
        o.Spill.Directory = spillDirectory;
        o.Spill.Fsync = false;
        o.Spill.CommitInterval = TimeSpan.FromMilliseconds(10);
        return o;
    }

    public static async Task<UplinkRig> StartAsync(
        Action<AgentOptions>? configure = null, bool withReceiver = true, string? spillDirectory = null, ReceiverOptions? receiverOptions = null, ILogger? logger = null,
        Action<ReceiverFaults>? faultsBeforeStart = null)
    {
        string dir = spillDirectory ?? System.IO.Directory.CreateTempSubdirectory("edge-agent-uplink-").FullName;
        ReferenceReceiver? receiver = withReceiver
            ? await ReferenceReceiver.StartAsync(receiverOptions ?? new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, CancellationToken.None).ConfigureAwait(false)
            : null;
        if (receiver is not null)
        {
            faultsBeforeStart?.Invoke(receiver.Faults);
        }

        AgentOptions options = TestOptions(Path.Combine(dir, "spill"), receiver?.Address);
        configure?.Invoke(options);
        var rig = new UplinkRig(options, receiver, dir, logger) { _ownsDirectory = spillDirectory is null };
        rig._running = rig.Uplink.RunAsync(rig._stop.Token);
        return rig;
    }

    /// <summary>Writes samples whose monotonic time is their index in ms (so order and completeness can be checked).</summary>
    public void Produce(int count)
    {
        for (int k = 0; k < count; k++)
        {
            long i = _produced++;
            var sample = new TelemetrySample { MonotonicNs = (i + 1) * 1_000_000, WallUnixNs = i, JointCount = Options.Robot.Joints.Count, Overruns = i };
            sample.Position[0] = i;
            Ring.TryWrite(sample);
        }
    }

    public RobotStatistics Received => Receiver!.Statistics.ForRobot(RobotId);

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    public async Task StopAsync()
    {
        if (_running is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _running.ConfigureAwait(false);
            _running = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Uplink.Dispose();
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        if (_ownsDirectory)
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
