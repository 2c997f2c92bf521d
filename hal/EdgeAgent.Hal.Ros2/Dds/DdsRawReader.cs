namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>
/// Takes samples as raw CDR (encapsulation header included): <c>dds_takecdr</c>, then <c>ddsi_serdata_to_ser</c>
/// into the caller's buffer and <c>ddsi_serdata_unref</c>. No managed allocation per sample.
/// </summary>
internal sealed unsafe class DdsRawReader : IDisposable
{
    private DdsRawReader(DdsTopic topic, DdsEntityHandle handle)
    {
        Topic = topic;
        Handle = handle;
    }

    public DdsTopic Topic { get; }

    public DdsEntityHandle Handle { get; }

    /// <summary>Creates a reader on the topic's participant.</summary>
    public static DdsRawReader Create(DdsTopic topic, Ros2Qos qos)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(qos);
        var nativeQos = qos.ToNative(forWriter: false);
        try
        {
            var ret = DdsNative.dds_create_reader(topic.Participant.Handle.Entity, topic.Handle.Entity, nativeQos, IntPtr.Zero);
            return new DdsRawReader(topic, DdsEntityHandle.FromCreate(ret, $"dds_create_reader({topic.Name})", topic.Participant.Handle));
        }
        finally
        {
            DdsNative.dds_delete_qos(nativeQos);
        }
    }

    /// <summary>
    /// Takes one sample. Returns 1 when a sample was taken (<paramref name="length"/> bytes copied; check
    /// <see cref="DdsSampleInfo.ValidData"/>), 0 when none is waiting, or a negative <see cref="DdsStatus"/>:
    /// <see cref="DdsStatus.BufferTooSmall"/> (the sample is consumed, <paramref name="length"/> is its size).
    /// </summary>
    public int TakeCdr(Span<byte> destination, out int length, out DdsSampleInfo info)
    {
        // Fast path: one native take, one copy, one unref.
        IntPtr serdata = IntPtr.Zero;
        DdsSampleInfo sampleInfo;
        var n = DdsNative.dds_takecdr(Handle.Entity, &serdata, 1, &sampleInfo, DdsNative.AnyState);
        info = sampleInfo;
        length = 0;
        if (n <= 0)
        {
            return n;
        }

        try
        {
            var size = DdsNative.ddsi_serdata_size(serdata);
            length = (int)size;
            if (size > (uint)destination.Length)
            {
                return (int)DdsStatus.BufferTooSmall;
            }

            fixed (byte* p = destination)
            {
                DdsNative.ddsi_serdata_to_ser(serdata, 0, size, p);
            }

            return 1;
        }
        finally
        {
            DdsNative.ddsi_serdata_unref(serdata);
        }
    }

    /// <summary>Gets the subscription-matched status (writers currently matched), or a negative status.</summary>
    public DdsStatus GetMatched(out DdsMatchedStatus status)
    {
        DdsMatchedStatus s;
        var ret = DdsNative.dds_get_subscription_matched_status(Handle.Entity, &s);
        status = s;
        return (DdsStatus)ret;
    }

    public void Dispose() => Handle.Dispose();
}
