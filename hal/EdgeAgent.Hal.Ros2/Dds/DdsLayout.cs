namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>
/// Native layouts of Cyclone DDS 0.10.2 internals the binding reads, measured with
/// EdgeAgent.Tests/Hal/Ros2/Dds/native/dds_layout.c on Debian's build (DDS_HAS_SHM 1, x86-64).
/// DdsLayoutTests fails when the installed library's headers disagree.
/// </summary>
internal static class DdsLayout
{
    /// <summary><c>offsetof(struct ddsi_serdata, type)</c>: ops (8), hash (4), refc (4), kind (4) + padding.</summary>
    public const int SerdataTypeOffset = 24;

    /// <summary><c>sizeof(struct ddsi_serdata)</c> with DDS_HAS_SHM (iox_chunk, iox_subscriber); 56 without.</summary>
    public const int SerdataSize = 72;

    /// <summary><c>sizeof(dds_topic_descriptor_t)</c>.</summary>
    public const int TopicDescriptorSize = 96;

    /// <summary><c>sizeof(dds_sample_info_t)</c>.</summary>
    public const int SampleInfoSize = 64;
}
