using System.Runtime.InteropServices;

namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>
/// Cyclone DDS 0.10.2 C API (checked against /usr/include/dds of cyclonedds-dev 0.10.2).
/// <c>dds_entity_t</c> and <c>dds_return_t</c> are int32 (negative = error), <c>dds_domainid_t</c> uint32,
/// <c>dds_duration_t</c> int64 nanoseconds. Pointers to <c>dds_qos_t</c>, <c>ddsi_serdata</c>,
/// <c>ddsi_sertype</c> and listeners are opaque.
/// </summary>
internal static unsafe partial class DdsNative
{
    public const uint DomainDefault = 0xffffffffu;
    public const uint AnyState = 0;
    public const int SerdataKindData = 2; // enum ddsi_serdata_kind: SDK_EMPTY, SDK_KEY, SDK_DATA
    public const long DurationInfinite = long.MaxValue;

#pragma warning disable CA1810 // The resolver must be registered before the first P/Invoke, not lazily on field access.
    static DdsNative() => DdsLibrary.EnsureRegistered();
#pragma warning restore CA1810

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_create_participant(uint domain, IntPtr qos, IntPtr listener);

    [LibraryImport(DdsLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int dds_create_topic(int participant, IntPtr descriptor, string name, IntPtr qos, IntPtr listener);

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_create_reader(int participantOrSubscriber, int topic, IntPtr qos, IntPtr listener);

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_create_writer(int participantOrPublisher, int topic, IntPtr qos, IntPtr listener);

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_delete(int entity);

    [LibraryImport(DdsLibrary.Name)]
    public static partial IntPtr dds_create_qos();

    [LibraryImport(DdsLibrary.Name)]
    public static partial void dds_delete_qos(IntPtr qos);

    [LibraryImport(DdsLibrary.Name)]
    public static partial void dds_qset_reliability(IntPtr qos, DdsReliability kind, long maxBlockingTime);

    [LibraryImport(DdsLibrary.Name)]
    public static partial void dds_qset_history(IntPtr qos, DdsHistory kind, int depth);

    [LibraryImport(DdsLibrary.Name)]
    public static partial void dds_qset_durability(IntPtr qos, DdsDurability kind);

    [LibraryImport(DdsLibrary.Name)]
    public static partial void dds_qset_writer_data_lifecycle(IntPtr qos, [MarshalAs(UnmanagedType.U1)] bool autodispose);

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_write(int writer, void* data);

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_writecdr(int writer, IntPtr serdata);

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_takecdr(int readerOrCondition, IntPtr* serdata, uint maxSamples, DdsSampleInfo* info, uint mask);

    [LibraryImport(DdsLibrary.Name)]
    public static partial uint ddsi_serdata_size(IntPtr serdata);

    [LibraryImport(DdsLibrary.Name)]
    public static partial void ddsi_serdata_to_ser(IntPtr serdata, nuint offset, nuint size, void* buffer);

    [LibraryImport(DdsLibrary.Name)]
    public static partial void ddsi_serdata_unref(IntPtr serdata);

    /// <summary><c>niov</c> is <c>ddsrt_msg_iovlen_t</c> (size_t on Linux); <c>iov</c> points to <see cref="DdsIovec"/>.</summary>
    [LibraryImport(DdsLibrary.Name)]
    public static partial IntPtr ddsi_serdata_from_ser_iov(IntPtr sertype, int kind, nuint niov, DdsIovec* iov, nuint size);

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_get_publication_matched_status(int writer, DdsMatchedStatus* status);

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_get_subscription_matched_status(int reader, DdsMatchedStatus* status);

    [LibraryImport(DdsLibrary.Name)]
    public static partial int dds_set_status_mask(int entity, uint mask);

    [LibraryImport(DdsLibrary.Name)]
    public static partial IntPtr dds_strretcode(int ret);

    /// <summary>The text of a return code ("DDS_RETCODE_BAD_PARAMETER" …).</summary>
    public static string RetcodeText(int ret) => Marshal.PtrToStringUTF8(dds_strretcode(ret)) ?? ret.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary><c>ddsrt_iovec_t</c> on Linux: <c>{ void *iov_base; size_t iov_len; }</c>, 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DdsIovec
{
    public IntPtr Base;
    public nuint Length;
}

/// <summary><c>dds_publication_matched_status_t</c> and <c>dds_subscription_matched_status_t</c> (same layout, 24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DdsMatchedStatus
{
    public uint TotalCount;
    public int TotalCountChange;
    public uint CurrentCount;
    public int CurrentCountChange;
    public ulong LastHandle;
}

/// <summary><c>dds_sample_info_t</c> (64 bytes on x86-64/arm64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DdsSampleInfo
{
    public uint SampleState;
    public uint ViewState;
    public uint InstanceState;
    private byte _validData;
    /// <summary>Source timestamp in nanoseconds since the Unix epoch.</summary>
    public long SourceTimestamp;
    public ulong InstanceHandle;
    public ulong PublicationHandle;
    public uint DisposedGenerationCount;
    public uint NoWritersGenerationCount;
    public uint SampleRank;
    public uint GenerationRank;
    public uint AbsoluteGenerationRank;

    /// <summary>Gets a value indicating whether the sample carries data (false: an instance state change only).</summary>
    public readonly bool ValidData => _validData != 0;
}

internal enum DdsReliability
{
    BestEffort = 0,
    Reliable = 1,
}

internal enum DdsHistory
{
    KeepLast = 0,
    KeepAll = 1,
}

internal enum DdsDurability
{
    Volatile = 0,
    TransientLocal = 1,
    Transient = 2,
    Persistent = 3,
}
