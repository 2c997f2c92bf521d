using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Protocol;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Sampling;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// Load on a receiver and its store (scripts/bench-store.sh): ROBOTS simulated robots, each one Stream call with
/// up to 16 unacknowledged 100-sample 12-joint batches (the uplink's window) and its own robot id, for SECONDS.
/// Prints batches and samples stored per second and the send-to-acknowledgement latency, which for a store that
/// acknowledges after its commit is the time from a batch leaving the robot to its row being committed.
/// Usage: <c>EdgeAgent.Benchmarks store-load ENDPOINT ROBOTS SECONDS [RATE_PER_ROBOT]</c> (batches/s; 0 = flat out).
/// </summary>
internal static class StoreLoad
{
    private const int Window = 16;

    public static async Task<int> RunAsync(Uri endpoint, int robots, TimeSpan duration, double ratePerRobot)
    {
        TelemetrySample[] samples = UplinkLoad.Samples(100, 12);
        string[] joints = [.. Enumerable.Range(0, 12).Select(j => F($"joint_{j}"))];
        using var channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
        CallInvoker invoker = channel.CreateCallInvoker();
        var latencies = new List<long>[robots];
        long accepted = 0, duplicates = 0;
        string boot = Guid.NewGuid().ToString("N")[..12];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, robots).Select(async r =>
        {
            var encoder = new BatchEncoder(F($"sim-{r:D4}"), boot, joints);
            var mine = latencies[r] = new List<long>(1 << 16);
            using AsyncDuplexStreamingCall<BatchPayload, BatchAck> call = invoker.AsyncDuplexStreamingCall(TelemetryRawMethods.Stream, null, default);
            using var credits = new SemaphoreSlim(Window, Window);
            var sentAt = new long[1 << 20];
            Task reader = Task.Run(async () =>
            {
                await foreach (BatchAck ack in call.ResponseStream.ReadAllAsync())
                {
                    long now = Stopwatch.GetTimestamp();
                    lock (mine)
                    {
                        mine.Add(now - sentAt[ack.Seq % (ulong)sentAt.Length]);
                    }

                    Interlocked.Increment(ref ack.Status == BatchAck.Types.Status.Accepted ? ref accepted : ref duplicates);
                    credits.Release();
                }
            });
            var output = new ArrayBufferWriter<byte>(32 * 1024);
            for (ulong seq = 0; clock.Elapsed < duration; seq++)
            {
                if (ratePerRobot > 0)
                {
                    TimeSpan due = TimeSpan.FromSeconds(seq / ratePerRobot);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed).ConfigureAwait(false);
                    }
                }

                await credits.WaitAsync().ConfigureAwait(false);
                output.ResetWrittenCount();
                encoder.Encode(seq, samples, replay: false, output);
                sentAt[seq % (ulong)sentAt.Length] = Stopwatch.GetTimestamp();
                await call.RequestStream.WriteAsync(new BatchPayload(output.WrittenMemory.ToArray())).ConfigureAwait(false);
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            await reader.ConfigureAwait(false);
        })).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        long[] all = [.. latencies.SelectMany(l => l).Order()];
        double Ms(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(F($"| {robots} | {(ratePerRobot > 0 ? F($"{ratePerRobot:G} batches/s each") : "flat out")} | {accepted / seconds:N0} | {accepted * 100 / seconds:N0} | {duplicates} | {Ms(0.5):F1} / {Ms(0.99):F1} / {Ms(1.0):F1} |"));
        return 0;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
