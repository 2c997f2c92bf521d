using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>The managed description of a topic type: what <c>idlc</c> puts in a <c>dds_topic_descriptor_t</c>.</summary>
/// <param name="TypeName">DDS type name, e.g. <c>sensor_msgs::msg::dds_::JointState_</c>.</param>
/// <param name="Size">sizeof the C sample struct.</param>
/// <param name="Align">alignof the C sample struct.</param>
/// <param name="FlagSet"><c>DDS_TOPIC_*</c> flags.</param>
/// <param name="OpCount">m_nops: number of ops (not words).</param>
/// <param name="Ops">The op-code words.</param>
internal sealed record DdsTypeDefinition(string TypeName, uint Size, uint Align, uint FlagSet, uint OpCount, uint[] Ops);

/// <summary>
/// <c>dds_topic_descriptor_t</c> of Cyclone DDS 0.10.2 (96 bytes on 64-bit; offsets checked by DdsLayoutTests).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DdsTopicDescriptorNative
{
    public uint Size;
    public uint Align;
    public uint FlagSet;
    public uint KeyCount;
    public IntPtr TypeName;
    public IntPtr Keys;
    public uint OpCount;
    public IntPtr Ops;
    public IntPtr Meta;
    public DdsTypeMetaSer TypeInformation;
    public DdsTypeMetaSer TypeMapping;
    public uint RestrictDataRepresentation;
}

/// <summary><c>struct dds_type_meta_ser { unsigned char *data; uint32_t sz; }</c>: 16 bytes with padding.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DdsTypeMetaSer
{
    public IntPtr Data;
    public uint Size;
}

/// <summary>
/// A <c>dds_topic_descriptor_t</c> in unmanaged memory built from a <see cref="DdsTypeDefinition"/>; freed on dispose.
/// Keep it alive while topics created from it exist.
/// </summary>
internal sealed unsafe class DdsTopicDescriptor : IDisposable
{
    private DdsTopicDescriptorNative* _native;

    public DdsTopicDescriptor(DdsTypeDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Definition = definition;
        var name = Encoding.UTF8.GetBytes(definition.TypeName);
        var typeName = (byte*)NativeMemory.AllocZeroed((nuint)name.Length + 1);
        name.CopyTo(new Span<byte>(typeName, name.Length));
        var ops = (uint*)NativeMemory.Alloc((nuint)definition.Ops.Length, sizeof(uint));
        definition.Ops.CopyTo(new Span<uint>(ops, definition.Ops.Length));
        var meta = (byte*)NativeMemory.AllocZeroed(1);

        _native = (DdsTopicDescriptorNative*)NativeMemory.AllocZeroed((nuint)sizeof(DdsTopicDescriptorNative));
        _native->Size = definition.Size;
        _native->Align = definition.Align;
        _native->FlagSet = definition.FlagSet;
        _native->TypeName = (IntPtr)typeName;
        _native->OpCount = definition.OpCount;
        _native->Ops = (IntPtr)ops;
        _native->Meta = (IntPtr)meta;
    }

    ~DdsTopicDescriptor() => Free();

    public DdsTypeDefinition Definition { get; }

    /// <summary>Gets the native descriptor address.</summary>
    public IntPtr Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_native is null, this);
            return (IntPtr)_native;
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var native = _native;
        if (native is null)
        {
            return;
        }

        _native = null;
        NativeMemory.Free((void*)native->TypeName);
        NativeMemory.Free((void*)native->Ops);
        NativeMemory.Free((void*)native->Meta);
        NativeMemory.Free(native);
    }
}
