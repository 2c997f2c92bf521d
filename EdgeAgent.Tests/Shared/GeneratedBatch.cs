using EdgeAgent.Sampling;
using EdgeAgent.Protocol.Protos;
using Google.Protobuf;

namespace EdgeAgent.Testing;

/// <summary>
/// The independent reference encoding of a batch: the same samples through Google.Protobuf's generated message
/// API. The wire tests compare BatchEncoder's bytes with it; the benchmarks race BatchEncoder against it. One
/// file, compiled into both projects (EdgeAgent.Benchmarks links it), so the oracle and the rival never drift apart.
/// </summary>
internal static class GeneratedBatch
{
    /// <summary>Builds the batch with the generated API.</summary>
    /// <param name="robot">robot_id.</param>
    /// <param name="boot">boot_id.</param>
    /// <param name="joints">The joint names.</param>
    /// <param name="seq">seq.</param>
    /// <param name="samples">The samples.</param>
    /// <param name="replay">The replay flag.</param>
    /// <returns>The message.</returns>
    public static TelemetryBatch From(string robot, string boot, IReadOnlyList<string> joints, ulong seq, TelemetrySample[] samples, bool replay)
    {
        var batch = new TelemetryBatch { RobotId = robot, BootId = boot, Seq = seq, SchemaVersion = 1, SampleCount = (uint)samples.Length, Replay = replay };
        batch.JointNames.Add(joints);
        long mono = 0, wall = 0, overruns = 0;
        foreach (ref readonly TelemetrySample s in samples.AsSpan())
        {
            batch.MonotonicNsDelta.Add(unchecked(s.MonotonicNs - mono));
            batch.WallUnixNsDelta.Add(unchecked(s.WallUnixNs - wall));
            batch.OverrunsDelta.Add(unchecked(s.Overruns - overruns));
            (mono, wall, overruns) = (s.MonotonicNs, s.WallUnixNs, s.Overruns);
            batch.BaseX.Add(s.BaseX);
            batch.BaseY.Add(s.BaseY);
            batch.BaseHeading.Add(s.BaseHeading);
            batch.BaseVelocity.Add(s.BaseVelocity);
            batch.Tilt.Add(s.Tilt);
            batch.TiltRate.Add(s.TiltRate);
            batch.BatteryLevel.Add(s.BatteryLevel);
            batch.BatteryVoltage.Add(s.BatteryVoltage);
            batch.CpuPercent.Add(s.CpuPercent);
            batch.UplinkRttMs.Add(s.UplinkRttMs);
        }

        for (int j = 0; j < joints.Count; j++)
        {
            foreach (ref readonly TelemetrySample s in samples.AsSpan())
            {
                batch.Position.Add(s.Position[j]);
                batch.Velocity.Add(s.Velocity[j]);
                batch.Effort.Add(s.Effort[j]);
                batch.Command.Add(s.Command[j]);
            }
        }

        var state = new byte[samples.Length];
        var cause = new byte[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            state[i] = samples[i].SafetyState;
            cause[i] = samples[i].SafetyCause;
        }

        batch.SafetyState = ByteString.CopyFrom(state);
        batch.SafetyCause = ByteString.CopyFrom(cause);
        return batch;
    }
}
