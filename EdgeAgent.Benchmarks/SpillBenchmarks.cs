using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using EdgeAgent.Configuration;
using EdgeAgent.Spill;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// Durable append throughput of realistic batches (100 samples x 12 joints, ~24 KiB) with the default commit
/// policy (50 ms / 1 MiB; fsync on, and off for reference). One operation = one appended batch, the final
/// group commit (at Dispose) included; samples/s = batches/s x 100.
/// Run: <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*SpillAppend*'</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SpillAppendBenchmarks
{
    internal const int PayloadBytes = 24 * 1024;
    private const int Records = 4096; // 96 MiB an iteration

    private readonly byte[] _payload = new byte[PayloadBytes];
    private string _root = string.Empty;
    private string _dir = string.Empty;
    private int _iteration;

    [Params(true, false)]
    public bool Fsync { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_payload);
        _root = Directory.CreateTempSubdirectory("edge-agent-spill-bench-").FullName;
    }

    [IterationSetup]
    public void NewDirectory() => _dir = Path.Combine(_root, "append-" + _iteration++);

    [IterationCleanup]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(OperationsPerInvoke = Records)]
    public long DurableAppend()
    {
        var key = new BatchKey("robot-7", "boot-a", 0);
        var options = new SpillOptions { Directory = _dir, Fsync = Fsync }; // default policy: 50 ms / 1 MiB, 16 MiB segments
        using SpillLog log = SpillLog.Open(options, NullLogger.Instance, TimeProvider.System);
        for (int i = 0; i < Records; i++)
        {
            log.Append(key with { Seq = (ulong)i }, _payload);
        }

        return log.Statistics.DiskBytes;
    }
}

/// <summary>
/// Recovery: opening a ~500 MB spill scans and CRC-checks every record (page cache warm after the setup).
/// Run: <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*SpillRecovery*'</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SpillRecoveryBenchmarks
{
    private const long Bytes = 500L << 20;
    private string _root = string.Empty;
    private string _dir = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var payload = new byte[SpillAppendBenchmarks.PayloadBytes];
        new Random(1).NextBytes(payload);
        _root = Directory.CreateTempSubdirectory("edge-agent-spill-bench-").FullName;
        _dir = Path.Combine(_root, "spill");
        using SpillLog log = SpillLog.Open(Options(), NullLogger.Instance, TimeProvider.System);
        var key = new BatchKey("robot-7", "boot-a", 0);
        for (long written = 0; written < Bytes; written += payload.Length)
        {
            log.Append(key with { Seq = (ulong)written }, payload);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark]
    public long RecoveryScan500MB()
    {
        using SpillLog log = SpillLog.Open(Options(), NullLogger.Instance, TimeProvider.System);
        return log.Recovery.RecordsRecovered;
    }

    private SpillOptions Options() => new() { Directory = _dir, Fsync = false };
}
