namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>A domain participant; disposing it deletes every topic, reader and writer created under it.</summary>
internal sealed class DdsParticipant : IDisposable
{
    private DdsParticipant(uint domainId, DdsEntityHandle handle)
    {
        DomainId = domainId;
        Handle = handle;
    }

    public uint DomainId { get; }

    public DdsEntityHandle Handle { get; }

    /// <summary>Creates a participant on <paramref name="domainId"/> (0..232); reads <c>CYCLONEDDS_URI</c> when the domain starts.</summary>
    public static DdsParticipant Create(uint domainId)
    {
        var ret = DdsNative.dds_create_participant(domainId, IntPtr.Zero, IntPtr.Zero);
        return new DdsParticipant(domainId, DdsEntityHandle.FromCreate(ret, $"dds_create_participant(domain {domainId})", parent: null));
    }

    /// <summary>Creates a topic, e.g. <c>rt/joint_states</c>; <paramref name="descriptor"/> must outlive it.</summary>
    public DdsTopic CreateTopic(DdsTopicDescriptor descriptor, string name)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var ret = DdsNative.dds_create_topic(Handle.Entity, descriptor.Pointer, name, IntPtr.Zero, IntPtr.Zero);
        var handle = DdsEntityHandle.FromCreate(ret, $"dds_create_topic({name}, {descriptor.Definition.TypeName})", Handle);
        return new DdsTopic(this, descriptor, name, handle);
    }

    public void Dispose() => Handle.Dispose();
}

/// <summary>A topic of a participant.</summary>
internal sealed class DdsTopic : IDisposable
{
    internal DdsTopic(DdsParticipant participant, DdsTopicDescriptor descriptor, string name, DdsEntityHandle handle)
    {
        Participant = participant;
        Descriptor = descriptor;
        Name = name;
        Handle = handle;
    }

    public DdsParticipant Participant { get; }

    public DdsTopicDescriptor Descriptor { get; }

    public string Name { get; }

    public DdsEntityHandle Handle { get; }

    public void Dispose() => Handle.Dispose();
}
