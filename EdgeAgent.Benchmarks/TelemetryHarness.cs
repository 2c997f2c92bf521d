using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeAgent.Configuration;
using EdgeAgent.Sampling;
using EdgeAgent.Spill;
using EdgeAgent.Uplink;
using EdgeAgent.Protocol;
using EdgeAgent.Protocol.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// The uplink's end-to-end figures, each against its alternative in the same run, all against one
/// `edge-agent receive` child process on loopback:
///   1. throughput: the whole pipeline (ring → batcher → encoder → Polly pipeline → unary gRPC) vs a bare
///      gRPC client sending the same pre-serialized bytes (distinct seqs, 8 calls in flight);
///   2. replay of a one-hour 1 kHz backlog (36,000 batches) from the spill;
/// The uplink's CPU at the nominal rate is measured on the agent itself: scripts/bench-uplink-cpu.sh.
/// Run: <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- telemetry</c>.
/// </summary>
internal static class TelemetryHarness
{
    private const int Joints = 12;
    private const int Batches = 30_000;

    /// <param name="pipelineOnly">Run only the pipeline (to profile it: <c>perf record</c> sees nothing else of this process).</param>
    public static async Task<int> RunAsync(bool pipelineOnly)
    {
        string work = Directory.CreateTempSubdirectory("edge-agent-bench-").FullName;
        int port = FreePort();
        using Process receiver = StartReceiver(port);
        try
        {
            await Task.Delay(2000).ConfigureAwait(false);
            var endpoint = new Uri($"http://127.0.0.1:{port}");
            Console.WriteLine("| figure | value |");
            Console.WriteLine("|---|---|");
            if (pipelineOnly)
            {
                await PipelineWarmUpAsync(endpoint, Path.Combine(work, "pipeline")).ConfigureAwait(false);
                double alone = await PipelineRunAsync(endpoint, Path.Combine(work, "pipeline-measured"), "bench-pipeline", 3_000_000, report: true).ConfigureAwait(false);
                Console.WriteLine(F($"| EdgeAgent uplink (ring → batcher → encoder → Polly → gRPC stream, the shipped transport) | {alone:N0} samples/s |"));
                return 0;
            }

            double bareUnary = await BareClientAsync(endpoint).ConfigureAwait(false);
            Console.WriteLine(F($"| bare gRPC client, unary, pre-serialized batches, 8 in flight | {bareUnary:N0} samples/s |"));

            // Steady state, as on a robot that has run for a minute: both sides warmed up until the JIT has
            // tiered their code (a cold first round spent a third of the client's CPU in the JIT compiler's
            // thread), then three alternating rounds; the ratio is of the medians.
            await BareStreamAsync(endpoint, "bench-bare-warmup", report: false).ConfigureAwait(false);
            await PipelineWarmUpAsync(endpoint, Path.Combine(work, "pipeline")).ConfigureAwait(false);
            var bare = new List<double>();
            var pipeline = new List<double>();
            for (int round = 0; round < 3; round++)
            {
                bare.Add(await BareStreamAsync(endpoint, F($"bench-bare-stream-{round}"), report: round == 0).ConfigureAwait(false));
                pipeline.Add(await PipelineRunAsync(endpoint, Path.Combine(work, F($"pipeline-{round}")), F($"bench-pipeline-{round}"), 3_000_000, report: round == 0).ConfigureAwait(false));
            }

            Console.WriteLine(F($"| bare gRPC client, one stream, pre-serialized batches, 16 in flight: median of 3 rounds ({string.Join(", ", bare.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}) | {Median(bare):N0} samples/s |"));
            Console.WriteLine(F($"| EdgeAgent uplink (ring → batcher → encoder → Polly → gRPC stream, the shipped transport): median of 3 rounds ({string.Join(", ", pipeline.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}) | {Median(pipeline):N0} samples/s |"));
            Console.WriteLine(F($"| uplink / bare stream client (medians; per round {string.Join(", ", bare.Zip(pipeline, (b, p) => (p / b).ToString("P0", CultureInfo.InvariantCulture)))}) | {Median(pipeline) / Median(bare):P0} |"));
            TimeSpan replay = await ReplayHourAsync(endpoint, Path.Combine(work, "replay")).ConfigureAwait(false);
            Console.WriteLine(F($"| replay of a one-hour 1 kHz backlog (36,000 batches), replay_rate_per_second 1e6 and fsync off: what the link and the spill read allow | {replay.TotalSeconds:F1} s |"));
            return 0;
        }
        finally
        {
            receiver.Kill();
            await receiver.WaitForExitAsync().ConfigureAwait(false);
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<double> BareClientAsync(Uri endpoint)
    {
        BatchPayload[] payloads = Payloads("bench-bare");

        using GrpcChannel channel = GrpcChannel.ForAddress(endpoint);
        CallInvoker invoker = channel.CreateCallInvoker();
        await invoker.AsyncUnaryCall(TelemetryRawMethods.Send, null, default, payloads[0]).ResponseAsync.ConfigureAwait(false);
        int next = 1;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 8).Select(async _ =>
        {
            int k;
            while ((k = Interlocked.Increment(ref next) - 1) < Batches)
            {
                await invoker.AsyncUnaryCall(TelemetryRawMethods.Send, null, default, payloads[k]).ResponseAsync.ConfigureAwait(false);
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
        double rate = (Batches - 1) * 100.0 / clock.Elapsed.TotalSeconds;
        Console.WriteLine(F($"| allocated per batch, bare gRPC client (same payload) | {(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (Batches - 1):N0} B |"));
        return rate;
    }

    /// <summary>Pre-serialized batches of one robot, distinct seqs.</summary>
    private static BatchPayload[] Payloads(string robot)
    {
        var encoder = new BatchEncoder(robot, "boot", JointNames());
        TelemetrySample[] samples = UplinkLoad.Samples(100, Joints);
        var payloads = new BatchPayload[Batches];
        var writer = new ArrayBufferWriter<byte>();
        for (int k = 0; k < Batches; k++)
        {
            writer.ResetWrittenCount();
            encoder.Encode((ulong)k, samples, replay: false, writer);
            payloads[k] = new BatchPayload(writer.WrittenMemory.ToArray());
        }

        return payloads;
    }

    /// <summary>The same batches on one Stream call with a window of 16 (the uplink's most in flight), acks read by a second task.</summary>
    private static async Task<double> BareStreamAsync(Uri endpoint, string robot, bool report)
    {
        BatchPayload[] payloads = Payloads(robot);

        using GrpcChannel channel = GrpcChannel.ForAddress(endpoint);
        CallInvoker invoker = channel.CreateCallInvoker();
        using AsyncDuplexStreamingCall<BatchPayload, BatchAck> call = invoker.AsyncDuplexStreamingCall(TelemetryRawMethods.Stream, null, default);
        using var credits = new SemaphoreSlim(16, 16);
        long acked = 0;
        Task reader = Task.Run(async () =>
        {
            await foreach (BatchAck _ in call.ResponseStream.ReadAllAsync())
            {
                Interlocked.Increment(ref acked);
                credits.Release();
            }
        });
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (int k = 0; k < Batches; k++)
        {
            await credits.WaitAsync().ConfigureAwait(false);
            await call.RequestStream.WriteAsync(payloads[k]).ConfigureAwait(false);
        }

        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        await reader.ConfigureAwait(false);
        double rate = Interlocked.Read(ref acked) * 100.0 / clock.Elapsed.TotalSeconds;
        if (report)
        {
            Console.WriteLine(F($"| allocated per batch, bare gRPC stream client (same payload) | {(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / Batches:N0} B |"));
        }

        return rate;
    }

    private static async Task PipelineWarmUpAsync(Uri endpoint, string directory)
    {
        // Flat out until the JIT has tiered the path (1.5 M samples), then the steady 500 batches/s row.
        await PipelineRunAsync(endpoint, directory + "-warmup", "bench-warmup", 1_500_000, report: false).ConfigureAwait(false);
        await PipelineRunAsync(endpoint, directory + "-paced", "bench-paced", 200_000, samplesPerSecond: 50_000, report: true).ConfigureAwait(false);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static async Task<double> PipelineRunAsync(Uri endpoint, string directory, string robot, int total, int samplesPerSecond = 0, bool report = false)
    {
        AgentOptions options = Options(endpoint, directory, robot);
        // Sampling at the motor rate (1 kHz: the uplink drains the ring every 25 ms) and a 64 Ki-sample ring, so the
        // ring holds 2.6 M samples/s of drains: the figure is the uplink's, not the drain cadence's.
        options.Sampling.RateHz = options.Motor.RateHz;
        var ring = new SpscRing<TelemetrySample>(1 << 16);
        TelemetrySample[] samples = UplinkLoad.Samples(100, Joints);
        using var uplink = new TelemetryUplink(options, ring, "boot", NullLogger.Instance, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        using var sampler = Environment.GetEnvironmentVariable("EDGEAGENT_BENCH_ALLOCATIONS") == "1" && report && samplesPerSecond == 0 ? new AllocationSampler() : null;
        if (sampler is not null)
        {
            sampler.Enabled = true;
        }

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Task running = uplink.RunAsync(stop.Token);
        var producer = new Thread(() =>
        {
            var paced = Stopwatch.StartNew();
            for (int k = 0; k < total; k++)
            {
                // Flat out, but not thousands of batches ahead of the link: at most 64 built and not yet
                // acknowledged (a source at the uplink's sustained rate; the default memory queue holds ~330).
                // Checked once per batch's worth of samples: the counters are written by the uplink's threads,
                // and reading them per sample made the harness's producer the costliest part of the "client".
                while (k % 100 == 0 && (ring.Count > ring.Capacity - 128 || (samplesPerSecond > 0 && k > paced.Elapsed.TotalSeconds * samplesPerSecond)
                    || (samplesPerSecond == 0 && uplink.Counters.BatchesBuilt - uplink.Counters.BatchesAcked > 64)))
                {
                    Thread.Sleep(1);
                }

                ring.TryWrite(samples[k % 100]);
            }
        });
        producer.Start();
        long batches = total / 100;
        while (uplink.Counters.BatchesAcked < batches && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        double rate = uplink.Counters.BatchesAcked * 100.0 / clock.Elapsed.TotalSeconds;
        double cpuPerBatch = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / Math.Max(1, uplink.Counters.BatchesAcked);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        producer.Join();
        foreach ((string type, long bytes) in sampler?.Top(8) ?? [])
        {
            Console.WriteLine(F($"|   allocated by type (sampled) | {type}: {bytes / Math.Max(1, uplink.Counters.BatchesAcked):N0} B/batch |"));
        }

        if (report)
        {
            string how = samplesPerSecond > 0 ? F($"steady {samplesPerSecond / 100} batches/s") : "flat out, at most 64 batches ahead";
            Console.WriteLine(F($"| allocated per batch, EdgeAgent uplink + gRPC client ({how}) | {allocated / Math.Max(1, uplink.Counters.BatchesAcked):N0} B |"));
            Console.WriteLine(F($"| client process CPU per batch, EdgeAgent uplink, producer thread included ({how}) | {cpuPerBatch:N0} µs |"));
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        if (ring.Dropped > 0 || uplink.Counters.Spilled > 0)
        {
            Console.WriteLine(F($"| ({robot}: ring dropped {ring.Dropped}, spilled {uplink.Counters.Spilled}) | |"));
        }

        return rate;
    }

    private static async Task<TimeSpan> ReplayHourAsync(Uri endpoint, string directory)
    {
        AgentOptions options = Options(endpoint, directory, "bench-replay");
        options.Uplink.ReplayRatePerSecond = 1e6;
        (_, TimeSpan elapsed) = await SpillThenReplayAsync(options, 36_000, TimeSpan.FromMinutes(3)).ConfigureAwait(false);
        return elapsed;
    }

    /// <summary>The replay at the shipped configuration: spills <paramref name="batches"/> batches, then measures how fast they drain.</summary>
    public static async Task<int> ReplayShippedAsync(int batches, double? rate)
    {
        string work = Directory.CreateTempSubdirectory("edge-agent-bench-").FullName;
        int port = FreePort();
        using Process receiver = StartReceiver(port);
        try
        {
            await Task.Delay(2000).ConfigureAwait(false);
            AgentOptions options = AgentConfigLoader.Load(Path.Combine(AppContext.BaseDirectory, "agent.yaml"), new Dictionary<string, string>());
            options.Uplink.Endpoint = new Uri($"http://127.0.0.1:{port}").ToString();
            options.Spill.Directory = Path.Combine(work, "spill");
            if (rate is { } r)
            {
                options.Uplink.ReplayRatePerSecond = r;
            }

            (long replayed, TimeSpan elapsed) = await SpillThenReplayAsync(options, batches, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
            Console.WriteLine(F($"| replay of {batches} batches, replay_rate_per_second {options.Uplink.ReplayRatePerSecond}, fsync {options.Spill.Fsync} | {replayed} in {elapsed.TotalSeconds:F2} s = {replayed / elapsed.TotalSeconds:F1} batches/s |"));
            return 0;
        }
        finally
        {
            receiver.Kill();
            await receiver.WaitForExitAsync().ConfigureAwait(false);
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Writes a previous boot's backlog into the spill, then starts an uplink and times its replay.</summary>
    private static async Task<(long Replayed, TimeSpan Elapsed)> SpillThenReplayAsync(AgentOptions options, int batches, TimeSpan bound)
    {
        var encoder = new BatchEncoder(options.Robot.Id, "hour-ago", JointNames());
        TelemetrySample[] samples = UplinkLoad.Samples(100, Joints);
        var writer = new ArrayBufferWriter<byte>();
        using (SpillLog spill = SpillLog.Open(options.Spill, NullLogger.Instance, TimeProvider.System))
        {
            for (int k = 0; k < batches; k++)
            {
                writer.ResetWrittenCount();
                encoder.Encode((ulong)k, samples, replay: false, writer);
                spill.Append(new BatchKey(options.Robot.Id, "hour-ago", (ulong)k), writer.WrittenSpan);
            }
        }

        using var uplink = new TelemetryUplink(options, new SpscRing<TelemetrySample>(16), "boot", NullLogger.Instance, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        Task running = uplink.RunAsync(stop.Token);
        while (uplink.Counters.Replayed < batches && clock.Elapsed < bound)
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        TimeSpan elapsed = clock.Elapsed;
        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        return (uplink.Counters.Replayed, elapsed);
    }

    private static AgentOptions Options(Uri endpoint, string directory, string robot)
    {
        AgentOptions o = AgentConfigLoader.Load(Path.Combine(AppContext.BaseDirectory, "agent.yaml"), new Dictionary<string, string>());
        o.Robot.Id = robot;
        o.Uplink.Endpoint = endpoint.ToString();
        o.Uplink.MemoryQueueBytes = 1L << 30;
        o.Spill.Directory = directory;
        o.Spill.Fsync = false;
        return o;
    }

    private static string[] JointNames() => [.. AgentConfigLoader.Load(Path.Combine(AppContext.BaseDirectory, "agent.yaml"), new Dictionary<string, string>()).Robot.Joints.Select(j => j.Name)];

    private static Process StartReceiver(int port)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        string agent = Path.Combine(AppContext.BaseDirectory, "edge-agent.dll");
        if (!(Environment.ProcessPath ?? string.Empty).EndsWith("dotnet", StringComparison.Ordinal))
        {
            info.FileName = "dotnet";
        }

        info.ArgumentList.Add(agent);
        info.ArgumentList.Add("receive");
        info.ArgumentList.Add("--listen");
        info.ArgumentList.Add($"127.0.0.1:{port}");
        Process process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
