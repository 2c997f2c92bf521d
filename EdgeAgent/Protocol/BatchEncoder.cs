using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EdgeAgent.Sampling;
using Google.Protobuf;

namespace EdgeAgent.Protocol;

// Design: the encoder writes the protobuf wire bytes of one TelemetryBatch (telemetry.proto) straight from
// the samples into the caller's IBufferWriter, without building the message object: it first computes the
// exact size (the only variable-length parts are the seq varint and the three delta-coded sint64 columns),
// asks the writer for one span of that size and fills it, so a reused ArrayBufferWriter costs no allocation.
// The output is byte-identical to TelemetryBatch.ToByteArray() (fields in number order, defaults omitted,
// repeated scalars packed), which the tests check.
//
// Columns are read from the samples by byte offset (TelemetrySample is a sequential unmanaged struct; the
// offsets are taken once from the struct itself), so one loop serves every float column, per sample or per
// joint. Not thread-safe: one encoder per sender thread (it holds no per-batch state, only the header).

/// <summary>
/// Encodes telemetry samples as the protobuf bytes of one <c>edgeagent.telemetry.v1.TelemetryBatch</c>,
/// columnar and joint-major, with no allocation per batch.
/// </summary>
internal sealed class BatchEncoder
{
    /// <summary>The <c>schema_version</c> this encoder writes.</summary>
    public const uint SchemaVersion = 1;

    private const int WireVarint = 0;
    private const int WireLengthDelimited = 2;

    private static TelemetrySample s_layout;

    private static readonly int OffsetMonotonic = OffsetOf(ref s_layout.MonotonicNs);
    private static readonly int OffsetWall = OffsetOf(ref s_layout.WallUnixNs);
    private static readonly int OffsetOverruns = OffsetOf(ref s_layout.Overruns);
    private static readonly int OffsetBaseX = OffsetOf(ref s_layout.BaseX);
    private static readonly int OffsetBaseY = OffsetOf(ref s_layout.BaseY);
    private static readonly int OffsetSafetyState = OffsetOf(ref s_layout.SafetyState);
    private static readonly int OffsetSafetyCause = OffsetOf(ref s_layout.SafetyCause);
    private static readonly int OffsetPosition = OffsetOf(ref Unsafe.As<JointValues, float>(ref s_layout.Position));
    private static readonly int OffsetVelocity = OffsetOf(ref Unsafe.As<JointValues, float>(ref s_layout.Velocity));
    private static readonly int OffsetEffort = OffsetOf(ref Unsafe.As<JointValues, float>(ref s_layout.Effort));
    private static readonly int OffsetCommand = OffsetOf(ref Unsafe.As<JointValues, float>(ref s_layout.Command));

    // Per-sample float columns, in field-number order (fields 17..24).
    private static readonly int[] SampleFloatOffsets =
    [
        OffsetOf(ref s_layout.BaseHeading), OffsetOf(ref s_layout.BaseVelocity), OffsetOf(ref s_layout.Tilt), OffsetOf(ref s_layout.TiltRate),
        OffsetOf(ref s_layout.BatteryLevel), OffsetOf(ref s_layout.BatteryVoltage), OffsetOf(ref s_layout.CpuPercent), OffsetOf(ref s_layout.UplinkRttMs),
    ];

    private readonly byte[] _key;     // fields 1, 2: robot_id, boot_id
    private readonly byte[] _schema;  // fields 4, 5: schema_version, joint_names
    private readonly int _jointCount;

    /// <summary>Creates an encoder for one robot boot and one joint schema.</summary>
    /// <param name="robotId">The robot's id (part of the idempotency key).</param>
    /// <param name="bootId">This boot's id (part of the idempotency key).</param>
    /// <param name="jointNames">The joints of every per-joint column, in order; at most <see cref="TelemetrySample.MaxJoints"/>.</param>
    /// <exception cref="ArgumentException">An id is empty, or there are too many joints.</exception>
    public BatchEncoder(string robotId, string bootId, IReadOnlyList<string> jointNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(robotId);
        ArgumentException.ThrowIfNullOrEmpty(bootId);
        ArgumentNullException.ThrowIfNull(jointNames);
        if (jointNames.Count > TelemetrySample.MaxJoints)
        {
            throw new ArgumentException($"A batch carries at most {TelemetrySample.MaxJoints} joints; got {jointNames.Count}.", nameof(jointNames));
        }

        _jointCount = jointNames.Count;
        _key = Preencode(output =>
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteString(robotId);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteString(bootId);
        });
        _schema = Preencode(output =>
        {
            output.WriteTag(4, WireFormat.WireType.Varint);
            output.WriteUInt32(SchemaVersion);
            foreach (string name in jointNames)
            {
                output.WriteTag(5, WireFormat.WireType.LengthDelimited);
                output.WriteString(name);
            }
        });
    }

    /// <summary>The number of joints per sample this encoder writes.</summary>
    public int JointCount => _jointCount;

    /// <summary>Writes one batch.</summary>
    /// <param name="seq">The batch's sequence number in this boot.</param>
    /// <param name="samples">The samples, oldest first; each must have <see cref="JointCount"/> joints.</param>
    /// <param name="replay">Whether the batch is sent from the spill backlog.</param>
    /// <param name="output">Receives the bytes of the message (no length prefix).</param>
    /// <exception cref="ArgumentException">A sample's joint count differs from the schema's.</exception>
    public void Encode(ulong seq, ReadOnlySpan<TelemetrySample> samples, bool replay, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int n = samples.Length;
        for (int i = 0; i < n; i++)
        {
            if (samples[i].JointCount != _jointCount)
            {
                ThrowJointCount(i, samples[i].JointCount);
            }
        }

        int monotonicLength = DeltaLength(samples, OffsetMonotonic);
        int wallLength = DeltaLength(samples, OffsetWall);
        int overrunsLength = DeltaLength(samples, OffsetOverruns);

        int size = _key.Length + _schema.Length
            + (seq != 0 ? 1 + VarintLength(seq) : 0)
            + (replay ? 2 : 0);
        if (n > 0)
        {
            int jointFloats = _jointCount * n * sizeof(float);
            int sampleFloats = n * sizeof(float);
            size += 1 + VarintLength((uint)n)
                + PackedLength(1, monotonicLength) + PackedLength(1, wallLength) + PackedLength(1, overrunsLength)
                + (jointFloats > 0 ? 4 * PackedLength(1, jointFloats) : 0)
                + PackedLength(1, n * sizeof(double)) + PackedLength(2, n * sizeof(double))
                + (SampleFloatOffsets.Length * PackedLength(2, sampleFloats))
                + (2 * PackedLength(2, n));
        }

        Span<byte> span = output.GetSpan(size);
        int pos = 0;
        _key.CopyTo(span);
        pos += _key.Length;
        if (seq != 0)
        {
            WriteTag(span, ref pos, 3, WireVarint);
            WriteVarint(span, ref pos, seq);
        }

        _schema.CopyTo(span[pos..]);
        pos += _schema.Length;
        if (n > 0)
        {
            WriteTag(span, ref pos, 6, WireVarint);
            WriteVarint(span, ref pos, (uint)n);
        }

        if (replay)
        {
            WriteTag(span, ref pos, 7, WireVarint);
            span[pos++] = 1;
        }

        if (n > 0)
        {
            WriteDeltaColumn(span, ref pos, 8, samples, OffsetMonotonic, monotonicLength);
            WriteDeltaColumn(span, ref pos, 9, samples, OffsetWall, wallLength);
            WriteDeltaColumn(span, ref pos, 10, samples, OffsetOverruns, overrunsLength);
            if (_jointCount > 0)
            {
                WriteJointColumn(span, ref pos, 11, samples, OffsetPosition);
                WriteJointColumn(span, ref pos, 12, samples, OffsetVelocity);
                WriteJointColumn(span, ref pos, 13, samples, OffsetEffort);
                WriteJointColumn(span, ref pos, 14, samples, OffsetCommand);
            }

            WriteDoubleColumn(span, ref pos, 15, samples, OffsetBaseX);
            WriteDoubleColumn(span, ref pos, 16, samples, OffsetBaseY);
            for (int f = 0; f < SampleFloatOffsets.Length; f++)
            {
                WriteTag(span, ref pos, 17 + f, WireLengthDelimited);
                WriteVarint(span, ref pos, (uint)(n * sizeof(float)));
                WriteFloats(span, ref pos, samples, SampleFloatOffsets[f]);
            }

            WriteByteColumn(span, ref pos, 25, samples, OffsetSafetyState);
            WriteByteColumn(span, ref pos, 26, samples, OffsetSafetyCause);
        }

        System.Diagnostics.Debug.Assert(pos == size, "The size computation and the writer disagree.");
        output.Advance(size);
    }

    private void WriteJointColumn(Span<byte> span, ref int pos, int field, ReadOnlySpan<TelemetrySample> samples, int offset)
    {
        WriteTag(span, ref pos, field, WireLengthDelimited);
        WriteVarint(span, ref pos, (uint)(_jointCount * samples.Length * sizeof(float)));
        for (int j = 0; j < _jointCount; j++)
        {
            WriteFloats(span, ref pos, samples, offset + (j * sizeof(float)));
        }
    }

    private static void WriteFloats(Span<byte> span, ref int pos, ReadOnlySpan<TelemetrySample> samples, int offset)
    {
        Span<byte> target = span.Slice(pos, samples.Length * sizeof(float));
        for (int i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(target[(i * sizeof(float))..], Read<float>(samples, i, offset));
        }

        pos += target.Length;
    }

    private static void WriteDoubleColumn(Span<byte> span, ref int pos, int field, ReadOnlySpan<TelemetrySample> samples, int offset)
    {
        WriteTag(span, ref pos, field, WireLengthDelimited);
        WriteVarint(span, ref pos, (uint)(samples.Length * sizeof(double)));
        Span<byte> target = span.Slice(pos, samples.Length * sizeof(double));
        for (int i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(target[(i * sizeof(double))..], Read<double>(samples, i, offset));
        }

        pos += target.Length;
    }

    private static void WriteByteColumn(Span<byte> span, ref int pos, int field, ReadOnlySpan<TelemetrySample> samples, int offset)
    {
        WriteTag(span, ref pos, field, WireLengthDelimited);
        WriteVarint(span, ref pos, (uint)samples.Length);
        for (int i = 0; i < samples.Length; i++)
        {
            span[pos++] = Read<byte>(samples, i, offset);
        }
    }

    private static void WriteDeltaColumn(Span<byte> span, ref int pos, int field, ReadOnlySpan<TelemetrySample> samples, int offset, int length)
    {
        WriteTag(span, ref pos, field, WireLengthDelimited);
        WriteVarint(span, ref pos, (uint)length);
        long previous = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            long value = Read<long>(samples, i, offset);
            WriteVarint(span, ref pos, ZigZag(unchecked(value - previous)));
            previous = value;
        }
    }

    private static int DeltaLength(ReadOnlySpan<TelemetrySample> samples, int offset)
    {
        int length = 0;
        long previous = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            long value = Read<long>(samples, i, offset);
            length += VarintLength(ZigZag(unchecked(value - previous)));
            previous = value;
        }

        return length;
    }

    private static int PackedLength(int tagLength, int payloadLength) =>
        payloadLength == 0 ? 0 : tagLength + VarintLength((uint)payloadLength) + payloadLength;

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static int VarintLength(ulong value) => ((70 - BitOperations.LeadingZeroCount(value | 1)) * 37) >> 8;

    private static void WriteTag(Span<byte> span, ref int pos, int field, int wireType) => WriteVarint(span, ref pos, (uint)((field << 3) | wireType));

    private static void WriteVarint(Span<byte> span, ref int pos, ulong value)
    {
        while (value >= 0x80)
        {
            span[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[pos++] = (byte)value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Read<T>(ReadOnlySpan<TelemetrySample> samples, int index, int offset)
        where T : unmanaged =>
        Unsafe.ReadUnaligned<T>(ref Unsafe.AddByteOffset(ref Unsafe.As<TelemetrySample, byte>(ref Unsafe.AsRef(in samples[index])), offset));

    private static int OffsetOf<T>(ref T field) =>
        (int)Unsafe.ByteOffset(ref Unsafe.As<TelemetrySample, byte>(ref s_layout), ref Unsafe.As<T, byte>(ref field));

    private static byte[] Preencode(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    private void ThrowJointCount(int index, int count) =>
        throw new ArgumentException($"Sample {index} has {count} joints; this encoder's schema has {_jointCount}. Create an encoder per joint schema.");
}
