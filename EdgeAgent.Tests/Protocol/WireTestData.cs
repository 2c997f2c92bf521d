using EdgeAgent.Sampling;
using EdgeAgent.Protocol.Protos;
using Google.Protobuf;

namespace EdgeAgent.Tests.Protocol;

/// <summary>Samples and an independent reference encoding (the generated message API) for the wire tests.</summary>
internal static class WireTestData
{
    public static readonly string[] TwelveJoints =
    [
        "hip_yaw_l", "hip_roll_l", "hip_pitch_l", "knee_l", "ankle_pitch_l", "ankle_roll_l",
        "hip_yaw_r", "hip_roll_r", "hip_pitch_r", "knee_r", "ankle_pitch_r", "ankle_roll_r",
    ];

    /// <summary>Plausible samples at 100 Hz with per-joint distinct values.</summary>
    public static TelemetrySample[] Samples(int count, int joints, long startNs = 1_000_000_000, long wallStartNs = 1_760_000_000_000_000_000)
    {
        var samples = new TelemetrySample[count];
        for (int i = 0; i < count; i++)
        {
            ref TelemetrySample s = ref samples[i];
            s.MonotonicNs = startNs + (i * 10_000_000L) + (i % 3 * 1_234);
            s.WallUnixNs = wallStartNs + (i * 10_000_000L) - (i % 5 * 777);
            s.Overruns = i / 40;
            s.JointCount = joints;
            for (int j = 0; j < joints; j++)
            {
                s.Position[j] = (0.1f * j) + (0.001f * i);
                s.Velocity[j] = -0.5f + j - (0.01f * i);
                s.Effort[j] = (j * 1.5f) - i;
                s.Command[j] = (j * 1.25f) + (i * 0.5f);
            }

            s.BaseX = 12.5 + (i * 0.01);
            s.BaseY = -3.25 - (i * 0.02);
            s.BaseHeading = 0.3f + (i * 0.001f);
            s.BaseVelocity = 0.8f;
            s.Tilt = -0.02f * i;
            s.TiltRate = 0.1f;
            s.BatteryLevel = 0.87f;
            s.BatteryVoltage = 48.2f;
            s.CpuPercent = 23.5f;
            s.UplinkRttMs = i == 0 ? -1f : 12.3f;
            s.SafetyState = (byte)(i % 3);
            s.SafetyCause = (byte)(i % 7);
        }

        return samples;
    }

    /// <summary>The batch the encoder should produce, built with the generated API (the shared oracle).</summary>
    public static TelemetryBatch Expected(string robot, string boot, IReadOnlyList<string> joints, ulong seq, TelemetrySample[] samples, bool replay) =>
        EdgeAgent.Testing.GeneratedBatch.From(robot, boot, joints, seq, samples, replay);
}
