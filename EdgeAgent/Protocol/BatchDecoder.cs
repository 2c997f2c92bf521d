using EdgeAgent.Sampling;
using EdgeAgent.Protocol.Protos;
using Google.Protobuf.Collections;

namespace EdgeAgent.Protocol;

/// <summary>
/// Reads a parsed <see cref="TelemetryBatch"/> back: checks its columns against its schema and turns the
/// columns into samples. Off the hot path (receiver, JSON export, tests).
/// </summary>
internal static class BatchDecoder
{
    /// <summary>
    /// Checks that a batch is well formed and inside the protocol's limits (<see cref="BatchLimits"/>): key
    /// present and short, 1 to 10 000 samples, a known schema version, joint names sane, every column complete.
    /// </summary>
    /// <param name="batch">The batch.</param>
    /// <returns><see langword="null"/> when valid, otherwise what is wrong (for an InvalidArgument status).</returns>
    public static string? Validate(TelemetryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        string? error = BatchLimits.CheckId("robot_id", batch.RobotId)
            ?? BatchLimits.CheckId("boot_id", batch.BootId)
            ?? BatchLimits.CheckSampleCount(batch.SampleCount);
        if (error is not null)
        {
            return error;
        }

        if (batch.SchemaVersion != BatchEncoder.SchemaVersion)
        {
            return $"schema_version {batch.SchemaVersion} is not supported (this receiver reads {BatchEncoder.SchemaVersion})";
        }

        if (batch.JointNames.Count > BatchLimits.MaxJoints)
        {
            return $"{batch.JointNames.Count} joints; at most {BatchLimits.MaxJoints} are supported";
        }

        for (int j = 0; j < batch.JointNames.Count; j++)
        {
            if (BatchLimits.CheckJointName(j, batch.JointNames[j]) is { } nameError)
            {
                return nameError;
            }
        }

        int n = (int)Math.Min(batch.SampleCount, int.MaxValue);
        long jointValues = (long)batch.JointNames.Count * n;
        return Column("monotonic_ns_delta", batch.MonotonicNsDelta.Count, n)
            ?? Column("wall_unix_ns_delta", batch.WallUnixNsDelta.Count, n)
            ?? Column("overruns_delta", batch.OverrunsDelta.Count, n)
            ?? Column("position", batch.Position.Count, jointValues)
            ?? Column("velocity", batch.Velocity.Count, jointValues)
            ?? Column("effort", batch.Effort.Count, jointValues)
            ?? Column("command", batch.Command.Count, jointValues)
            ?? Column("base_x", batch.BaseX.Count, n)
            ?? Column("base_y", batch.BaseY.Count, n)
            ?? Column("base_heading", batch.BaseHeading.Count, n)
            ?? Column("base_velocity", batch.BaseVelocity.Count, n)
            ?? Column("tilt", batch.Tilt.Count, n)
            ?? Column("tilt_rate", batch.TiltRate.Count, n)
            ?? Column("battery_level", batch.BatteryLevel.Count, n)
            ?? Column("battery_voltage", batch.BatteryVoltage.Count, n)
            ?? Column("cpu_percent", batch.CpuPercent.Count, n)
            ?? Column("uplink_rtt_ms", batch.UplinkRttMs.Count, n)
            ?? Column("safety_state", batch.SafetyState.Length, n)
            ?? Column("safety_cause", batch.SafetyCause.Length, n);
    }

    /// <summary>Turns a valid batch (see <see cref="Validate"/>) back into samples.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>The samples, oldest first.</returns>
    /// <exception cref="ArgumentException">The batch is not valid.</exception>
    public static TelemetrySample[] ToSamples(TelemetryBatch batch)
    {
        if (Validate(batch) is { } error)
        {
            throw new ArgumentException($"Invalid batch: {error}.", nameof(batch));
        }

        int n = (int)batch.SampleCount;
        int joints = batch.JointNames.Count;
        long[] monotonic = Undelta(batch.MonotonicNsDelta);
        long[] wall = Undelta(batch.WallUnixNsDelta);
        long[] overruns = Undelta(batch.OverrunsDelta);
        ReadOnlySpan<byte> state = batch.SafetyState.Span;
        ReadOnlySpan<byte> cause = batch.SafetyCause.Span;
        var samples = new TelemetrySample[n];
        for (int i = 0; i < n; i++)
        {
            ref TelemetrySample s = ref samples[i];
            s.MonotonicNs = monotonic[i];
            s.WallUnixNs = wall[i];
            s.Overruns = overruns[i];
            s.JointCount = joints;
            for (int j = 0; j < joints; j++)
            {
                int k = (j * n) + i;
                s.Position[j] = batch.Position[k];
                s.Velocity[j] = batch.Velocity[k];
                s.Effort[j] = batch.Effort[k];
                s.Command[j] = batch.Command[k];
            }

            s.BaseX = batch.BaseX[i];
            s.BaseY = batch.BaseY[i];
            s.BaseHeading = batch.BaseHeading[i];
            s.BaseVelocity = batch.BaseVelocity[i];
            s.Tilt = batch.Tilt[i];
            s.TiltRate = batch.TiltRate[i];
            s.BatteryLevel = batch.BatteryLevel[i];
            s.BatteryVoltage = batch.BatteryVoltage[i];
            s.CpuPercent = batch.CpuPercent[i];
            s.UplinkRttMs = batch.UplinkRttMs[i];
            s.SafetyState = state[i];
            s.SafetyCause = cause[i];
        }

        return samples;
    }

    /// <summary>Restores a delta-coded column: element 0 is absolute, element i adds to element i - 1.</summary>
    /// <param name="deltas">The column.</param>
    /// <returns>The absolute values.</returns>
    public static long[] Undelta(RepeatedField<long> deltas)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        var values = new long[deltas.Count];
        long value = 0;
        for (int i = 0; i < values.Length; i++)
        {
            value = unchecked(value + deltas[i]);
            values[i] = value;
        }

        return values;
    }

    private static string? Column(string name, long count, long expected) =>
        count == expected ? null : $"{name} has {count} values; sample_count and joint_names call for {expected}";
}
