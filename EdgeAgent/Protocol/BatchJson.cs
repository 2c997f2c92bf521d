using System.Buffers;
using System.Text;
using System.Text.Json;
using EdgeAgent.Protocol.Protos;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace EdgeAgent.Protocol;

/// <summary>
/// Renders one batch as one JSON object (one line): the key, the schema and the sample columns with the
/// clocks and overruns as absolute values and the joints as one object each. For <c>receive --out</c> and
/// <c>spill export</c>; off the hot path. Non-finite floats are written as the strings <c>"NaN"</c>,
/// <c>"Infinity"</c> and <c>"-Infinity"</c> (as the protobuf JSON mapping does); 64-bit integers as numbers.
/// </summary>
internal static class BatchJson
{
    /// <summary>Parses a batch and renders it.</summary>
    /// <param name="payload">The protobuf bytes of a <c>TelemetryBatch</c>.</param>
    /// <returns>One JSON object on one line.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a valid batch.</exception>
    public static string ToJson(ReadOnlyMemory<byte> payload)
    {
        TelemetryBatch batch;
        try
        {
            batch = TelemetryBatch.Parser.ParseFrom(payload.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"Not a TelemetryBatch: {ex.Message}", ex);
        }

        return ToJson(batch);
    }

    /// <summary>Renders a parsed batch.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>One JSON object on one line.</returns>
    /// <exception cref="InvalidDataException">The batch's columns do not match its schema.</exception>
    public static string ToJson(TelemetryBatch batch)
    {
        if (BatchDecoder.Validate(batch) is { } error)
        {
            throw new InvalidDataException($"Invalid TelemetryBatch: {error}.");
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("robot_id", batch.RobotId);
            json.WriteString("boot_id", batch.BootId);
            json.WriteNumber("seq", batch.Seq);
            json.WriteNumber("schema_version", batch.SchemaVersion);
            json.WriteBoolean("replay", batch.Replay);
            json.WriteNumber("sample_count", batch.SampleCount);
            WriteArray(json, "joint_names", batch.JointNames);
            WriteArray(json, "monotonic_ns", BatchDecoder.Undelta(batch.MonotonicNsDelta));
            WriteArray(json, "wall_unix_ns", BatchDecoder.Undelta(batch.WallUnixNsDelta));
            WriteArray(json, "overruns", BatchDecoder.Undelta(batch.OverrunsDelta));
            int n = (int)batch.SampleCount;
            json.WriteStartArray("joints");
            for (int j = 0; j < batch.JointNames.Count; j++)
            {
                json.WriteStartObject();
                json.WriteString("name", batch.JointNames[j]);
                WriteFloats(json, "position", batch.Position, j * n, n);
                WriteFloats(json, "velocity", batch.Velocity, j * n, n);
                WriteFloats(json, "effort", batch.Effort, j * n, n);
                WriteFloats(json, "command", batch.Command, j * n, n);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteDoubles(json, "base_x", batch.BaseX);
            WriteDoubles(json, "base_y", batch.BaseY);
            WriteFloats(json, "base_heading", batch.BaseHeading, 0, n);
            WriteFloats(json, "base_velocity", batch.BaseVelocity, 0, n);
            WriteFloats(json, "tilt", batch.Tilt, 0, n);
            WriteFloats(json, "tilt_rate", batch.TiltRate, 0, n);
            WriteFloats(json, "battery_level", batch.BatteryLevel, 0, n);
            WriteFloats(json, "battery_voltage", batch.BatteryVoltage, 0, n);
            WriteFloats(json, "cpu_percent", batch.CpuPercent, 0, n);
            WriteFloats(json, "uplink_rtt_ms", batch.UplinkRttMs, 0, n);
            WriteBytes(json, "safety_state", batch.SafetyState);
            WriteBytes(json, "safety_cause", batch.SafetyCause);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteArray(Utf8JsonWriter json, string name, RepeatedField<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, long[] values)
    {
        json.WriteStartArray(name);
        foreach (long value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteFloats(Utf8JsonWriter json, string name, RepeatedField<float> values, int start, int count)
    {
        json.WriteStartArray(name);
        for (int i = start; i < start + count; i++)
        {
            float value = values[i];
            if (float.IsFinite(value))
            {
                json.WriteNumberValue(value);
            }
            else
            {
                json.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
            }
        }

        json.WriteEndArray();
    }

    private static void WriteDoubles(Utf8JsonWriter json, string name, RepeatedField<double> values)
    {
        json.WriteStartArray(name);
        foreach (double value in values)
        {
            if (double.IsFinite(value))
            {
                json.WriteNumberValue(value);
            }
            else
            {
                json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
            }
        }

        json.WriteEndArray();
    }

    private static void WriteBytes(Utf8JsonWriter json, string name, ByteString values)
    {
        json.WriteStartArray(name);
        foreach (byte value in values.Span)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }
}
