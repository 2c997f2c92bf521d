using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeAgent.Sampling;
using EdgeAgent.Protocol.Protos;
using EdgeAgent.Protocol;
using Google.Protobuf;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// Cost of encoding one 100-sample, 12-joint batch: <c>BatchEncoder</c> (direct wire bytes into a reused buffer)
/// against building the generated <c>TelemetryBatch</c> and serializing it (the baseline the encoder replaces).
/// Run: <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*BatchEncoder*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class BatchEncoderBenchmarks
{
    private static readonly string[] Joints =
    [
        "hip_yaw_l", "hip_roll_l", "hip_pitch_l", "knee_l", "ankle_pitch_l", "ankle_roll_l",
        "hip_yaw_r", "hip_roll_r", "hip_pitch_r", "knee_r", "ankle_pitch_r", "ankle_roll_r",
    ];

    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private BatchEncoder _encoder = null!;
    private TelemetrySample[] _samples = null!;
    private ulong _seq;

    [GlobalSetup]
    public void Setup()
    {
        _encoder = new BatchEncoder("robot-0007", "2f6c0e0a-boot", Joints);
        _samples = UplinkLoad.Samples(100, Joints.Length);
    }

    [Benchmark(Baseline = true)]
    public int Encode()
    {
        _output.ResetWrittenCount();
        _encoder.Encode(_seq++, _samples, replay: false, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int GeneratedMessage()
    {
        // The rival: the generated message API, the same code the wire tests use as their oracle.
        TelemetryBatch batch = EdgeAgent.Testing.GeneratedBatch.From("robot-0007", "2f6c0e0a-boot", Joints, _seq++, _samples, replay: false);
        _output.ResetWrittenCount();
        batch.WriteTo(_output);
        return _output.WrittenCount;
    }
}
