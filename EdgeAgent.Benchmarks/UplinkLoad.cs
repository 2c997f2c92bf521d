using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using EdgeAgent.Ingest;
using EdgeAgent.Sampling;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// Uplink throughput on loopback: unary <c>Send</c> with 1/8/32 calls in flight against bidi <c>Stream</c> with
/// a window of 1/8/32 unacknowledged batches, sending one pre-encoded 100-sample 12-joint batch (the receiver
/// answers DUPLICATE after the first; it parses and validates every batch either way). The receiver runs in a
/// child process so the client's CPU time is its own. A Stopwatch harness (two processes, CPU time), started
/// through BenchmarkDotNet as one cold run: see <see cref="UplinkLoadBenchmarks"/>.
/// </summary>
internal static class UplinkLoad
{
    private const string ModeVariable = "EDGEAGENT_BENCH";
    private const int SamplesPerBatch = 100;
    private const long MaxBatchesPerCase = 2_000_000;

    /// <summary>Plausible samples (shared with <see cref="BatchEncoderBenchmarks"/>).</summary>
    public static TelemetrySample[] Samples(int count, int joints)
    {
        var samples = new TelemetrySample[count];
        for (int i = 0; i < count; i++)
        {
            ref TelemetrySample s = ref samples[i];
            s.MonotonicNs = 5_000_000_000 + (i * 10_000_000L) + (i % 7 * 3_000);
            s.WallUnixNs = 1_760_000_000_000_000_000 + (i * 10_000_000L) + (i % 5 * 2_000);
            s.Overruns = i / 50;
            s.JointCount = joints;
            for (int j = 0; j < joints; j++)
            {
                s.Position[j] = MathF.Sin((i * 0.01f) + j);
                s.Velocity[j] = MathF.Cos((i * 0.01f) + j);
                s.Effort[j] = 0.5f * j;
                s.Command[j] = (0.5f * j) + 0.01f;
            }

            (s.BaseX, s.BaseY, s.BaseHeading, s.BaseVelocity) = (1.0 + (i * 0.001), -2.0, 0.3f, 0.5f);
            (s.Tilt, s.TiltRate, s.BatteryLevel, s.BatteryVoltage, s.CpuPercent, s.UplinkRttMs) = (0.01f, -0.02f, 0.9f, 48f, 12f, 3f);
        }

        return samples;
    }

    /// <summary>
    /// The receiver child process: the same executable with <c>EDGEAGENT_BENCH=uplink-receiver</c>. It runs
    /// inside the module initializer, before BenchmarkDotNet's <c>Main</c>, so it is synchronous and calls only
    /// EdgeAgent code (another thread touching this module would wait for the initializer: a deadlock).
    /// </summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "An executable: a second entry mode without changing Program.cs.")]
    internal static void RunReceiverWhenAsked()
    {
        if (Environment.GetEnvironmentVariable(ModeVariable) != "uplink-receiver")
        {
            return;
        }

        ReferenceReceiver receiver = ReferenceReceiver.StartAsync(new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, CancellationToken.None).GetAwaiter().GetResult();
        Console.WriteLine(receiver.Port.ToString(CultureInfo.InvariantCulture));
        Console.In.ReadToEnd();
        receiver.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Environment.Exit(0);
    }

    /// <summary>Runs every case and prints a Markdown table.</summary>
    /// <param name="duration">The length of each case.</param>
    /// <returns>A task that completes when done.</returns>
    public static async Task RunAsync(TimeSpan duration)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        start.Environment[ModeVariable] = "uplink-receiver";
        using Process receiver = Process.Start(start)!;
        int port = int.Parse((await receiver.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);

        var output = new ArrayBufferWriter<byte>();
        new BatchEncoder("robot-0007", "boot-1", [.. Enumerable.Range(0, 12).Select(j => $"joint_{j}")]).Encode(1, Samples(SamplesPerBatch, 12), false, output);
        var payload = new BatchPayload(output.WrittenMemory.ToArray());
        Console.WriteLine($"Uplink on loopback: {SamplesPerBatch}-sample 12-joint batch = {payload.Bytes.Length} bytes, {duration.TotalSeconds:F0} s per case, {Environment.ProcessorCount} CPUs");
        Console.WriteLine("| mode | in flight | batches/s | samples/s | client CPU (% of a core) | client CPU µs/batch | receiver CPU µs/batch |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        CallInvoker invoker = channel.CreateCallInvoker();
        await RunCaseAsync("warm-up", 8, receiver, print: false, () => UnaryAsync(invoker, payload, 8, TimeSpan.FromSeconds(1)));
        await RunCaseAsync("warm-up", 8, receiver, print: false, () => StreamAsync(invoker, payload, 8, TimeSpan.FromSeconds(1)));
        foreach (int inFlight in new[] { 1, 8, 32 })
        {
            await RunCaseAsync("unary", inFlight, receiver, print: true, () => UnaryAsync(invoker, payload, inFlight, duration));
        }

        foreach (int window in new[] { 1, 8, 32 })
        {
            await RunCaseAsync("stream", window, receiver, print: true, () => StreamAsync(invoker, payload, window, duration));
        }

        receiver.StandardInput.Close();
        await receiver.WaitForExitAsync();
    }

    private static async Task RunCaseAsync(string mode, int inFlight, Process receiver, bool print, Func<Task<long>> run)
    {
        using var self = Process.GetCurrentProcess();
        receiver.Refresh();
        TimeSpan clientCpu0 = self.TotalProcessorTime, receiverCpu0 = receiver.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        long batches = await run();
        double seconds = stopwatch.Elapsed.TotalSeconds;
        self.Refresh();
        receiver.Refresh();
        double clientCpu = (self.TotalProcessorTime - clientCpu0).TotalMicroseconds, receiverCpu = (receiver.TotalProcessorTime - receiverCpu0).TotalMicroseconds;
        if (print)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {mode} | {inFlight} | {batches / seconds:F0} | {batches * SamplesPerBatch / seconds:F0} | {clientCpu / 1e6 / seconds * 100:F0} | {clientCpu / batches:F0} | {receiverCpu / batches:F0} |"));
        }
    }

    private static async Task<long> UnaryAsync(CallInvoker invoker, BatchPayload payload, int inFlight, TimeSpan duration)
    {
        long sent = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            while (stopwatch.Elapsed < duration && Interlocked.Increment(ref sent) <= MaxBatchesPerCase)
            {
                await invoker.AsyncUnaryCall(TelemetryRawMethods.Send, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), payload);
            }
        })));
        return Math.Min(Interlocked.Read(ref sent), MaxBatchesPerCase);
    }

    private static async Task<long> StreamAsync(CallInvoker invoker, BatchPayload payload, int window, TimeSpan duration)
    {
        using var timeout = new CancellationTokenSource(duration + TimeSpan.FromSeconds(30));
        using AsyncDuplexStreamingCall<BatchPayload, BatchAck> call = invoker.AsyncDuplexStreamingCall(TelemetryRawMethods.Stream, null, new CallOptions(cancellationToken: timeout.Token));
        using var credits = new SemaphoreSlim(window, window);
        long acked = 0;
        Task reader = Task.Run(async () =>
        {
            await foreach (BatchAck _ in call.ResponseStream.ReadAllAsync(timeout.Token))
            {
                Interlocked.Increment(ref acked);
                credits.Release();
            }
        });
        var stopwatch = Stopwatch.StartNew();
        for (long sent = 0; stopwatch.Elapsed < duration && sent < MaxBatchesPerCase; sent++)
        {
            await credits.WaitAsync(timeout.Token);
            await call.RequestStream.WriteAsync(payload, timeout.Token);
        }

        await call.RequestStream.CompleteAsync();
        await reader;
        return Interlocked.Read(ref acked);
    }
}
