using System.Runtime.InteropServices;

namespace EdgeAgent.Hal.Ros2.Dds;

// Design: dds_writecdr needs a ddsi_serdata, built from raw CDR by ddsi_serdata_from_ser_iov with the topic's
// ddsi_sertype. Cyclone 0.10.2 does not export dds_get_entity_sertype (added in 0.11), so the writer learns the
// sertype once, at creation, from a probe: a private topic of the same type (unique name, same participant), a
// probe writer writes one zeroed sample (NULL strings serialise as "", empty sequences) to a probe reader, and
// dds_takecdr hands back a serdata whose `type` field (offset DdsLayout.SerdataTypeOffset, checked by
// DdsLayoutTests) is the domain's sertype for that type — Cyclone deduplicates equal sertypes per domain, so it
// is the one the real topic uses (DdsRawCdrTests checks). The probe reader and writer are deleted; the probe
// topic is kept until the writer is disposed, so the sertype stays referenced by an entity of the same domain
// even if the sertypes were not deduplicated. (A ddsi_sertype_ref of our own would outlive the domain when the
// participant is disposed first, and the final unref would touch the freed domain.) Should the sertypes ever
// differ, dds_writecdr still converts through ddsi_serdata_ref_as_type (correct, slower). The probe touches the
// wire only through discovery of the probe endpoints: nothing subscribes to its unique name.
// dds_writecdr consumes the serdata reference in all paths. Do not dispose the participant while writing.

/// <summary>
/// Writes raw CDR samples (XCDR1, 4-byte encapsulation header included) with <c>dds_writecdr</c>.
/// </summary>
internal sealed unsafe class DdsRawWriter : IDisposable
{
    private static int _probeCounter;
    private readonly DdsTopic _probeTopic;
    private readonly IntPtr _sertype;

    private DdsRawWriter(DdsTopic topic, DdsEntityHandle handle, (IntPtr Sertype, DdsTopic Topic) probe)
    {
        Topic = topic;
        Handle = handle;
        _sertype = probe.Sertype;
        _probeTopic = probe.Topic;
    }

    public DdsTopic Topic { get; }

    public DdsEntityHandle Handle { get; }

    /// <summary>Gets the <c>ddsi_sertype</c> the writer builds serdata with.</summary>
    internal IntPtr Sertype => _sertype;

    /// <summary>Creates a writer (autodispose off, as rmw_cyclonedds) on the topic's participant.</summary>
    public static DdsRawWriter Create(DdsTopic topic, Ros2Qos qos)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(qos);
        var nativeQos = qos.ToNative(forWriter: true);
        DdsEntityHandle handle;
        try
        {
            var ret = DdsNative.dds_create_writer(topic.Participant.Handle.Entity, topic.Handle.Entity, nativeQos, IntPtr.Zero);
            handle = DdsEntityHandle.FromCreate(ret, $"dds_create_writer({topic.Name})", topic.Participant.Handle);
        }
        finally
        {
            DdsNative.dds_delete_qos(nativeQos);
        }

        try
        {
            return new DdsRawWriter(topic, handle, ProbeSertype(topic));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Writes one raw CDR sample; returns <see cref="DdsStatus.BadParameter"/> when Cyclone rejects the bytes.</summary>
    public DdsStatus WriteCdr(ReadOnlySpan<byte> cdr)
    {
        var sertype = _sertype;
        if (_probeTopic.Handle.IsClosed || Topic.Participant.Handle.IsClosed)
        {
            return DdsStatus.AlreadyDeleted;
        }

        if (cdr.Length < 4)
        {
            return DdsStatus.BadParameter;
        }

        IntPtr serdata;
        fixed (byte* p = cdr)
        {
            var iov = new DdsIovec { Base = (IntPtr)p, Length = (nuint)cdr.Length };
            serdata = DdsNative.ddsi_serdata_from_ser_iov(sertype, DdsNative.SerdataKindData, 1, &iov, (nuint)cdr.Length);
        }

        if (serdata == IntPtr.Zero)
        {
            return DdsStatus.BadParameter; // Malformed CDR: Cyclone's normalize step refused it.
        }

        return (DdsStatus)DdsNative.dds_writecdr(Handle.Entity, serdata);
    }

    /// <summary>Gets the publication-matched status (readers currently matched), or a negative status.</summary>
    public DdsStatus GetMatched(out DdsMatchedStatus status)
    {
        DdsMatchedStatus s;
        var ret = DdsNative.dds_get_publication_matched_status(Handle.Entity, &s);
        status = s;
        return (DdsStatus)ret;
    }

    public void Dispose()
    {
        Handle.Dispose();
        _probeTopic.Dispose();
    }

    private static (IntPtr Sertype, DdsTopic Topic) ProbeSertype(DdsTopic topic)
    {
        var participant = topic.Participant;
        var name = $"edgeagent_sertype_probe_{Environment.ProcessId}_{Interlocked.Increment(ref _probeCounter)}";
        var probeTopic = participant.CreateTopic(topic.Descriptor, name);
        try
        {
            return (ProbeSertype(probeTopic, name), probeTopic);
        }
        catch
        {
            probeTopic.Dispose();
            throw;
        }
    }

    private static IntPtr ProbeSertype(DdsTopic probeTopic, string name)
    {
        var participant = probeTopic.Participant;
        using var reader = DdsRawReader.Create(probeTopic, Ros2Qos.SystemDefault);
        var qos = Ros2Qos.SystemDefault.ToNative(forWriter: true);
        DdsEntityHandle writer;
        try
        {
            var ret = DdsNative.dds_create_writer(participant.Handle.Entity, probeTopic.Handle.Entity, qos, IntPtr.Zero);
            writer = DdsEntityHandle.FromCreate(ret, $"dds_create_writer({name})", participant.Handle);
        }
        finally
        {
            DdsNative.dds_delete_qos(qos);
        }

        using (writer)
        {
            var definition = probeTopic.Descriptor.Definition;
            var sample = NativeMemory.AlignedAlloc(definition.Size, Math.Max(definition.Align, (uint)IntPtr.Size));
            try
            {
                NativeMemory.Clear(sample, definition.Size);
                DdsException.ThrowIfError(DdsNative.dds_write(writer.Entity, sample), $"dds_write({name})");
            }
            finally
            {
                NativeMemory.AlignedFree(sample);
            }

            // Local delivery is synchronous; the bound only guards against surprises.
            for (var attempt = 0; attempt < 200; attempt++)
            {
                IntPtr serdata = IntPtr.Zero;
                DdsSampleInfo info;
                var n = DdsNative.dds_takecdr(reader.Handle.Entity, &serdata, 1, &info, DdsNative.AnyState);
                if (n < 0)
                {
                    throw new DdsException($"dds_takecdr({name})", n);
                }

                if (n > 0)
                {
                    var sertype = *(IntPtr*)((byte*)serdata + DdsLayout.SerdataTypeOffset);
                    DdsNative.ddsi_serdata_unref(serdata);
                    return sertype;
                }

                Thread.Sleep(1);
            }
        }

        throw new DdsException($"The sertype probe on {name} received nothing within 200 ms; raw CDR writes are unavailable.");
    }
}
