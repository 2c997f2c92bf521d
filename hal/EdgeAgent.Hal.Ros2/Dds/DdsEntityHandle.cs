using System.Runtime.InteropServices;

namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>
/// A Cyclone entity (<c>dds_entity_t</c>, a positive int32) deleted with <c>dds_delete</c> on release.
/// </summary>
/// <remarks>
/// Cyclone deletes an entity's children with it (participant → topics, readers, writers). A child handle
/// remembers its parent handle: once the parent is released the child's release skips <c>dds_delete</c>,
/// so disposing a child after its parent is harmless and never deletes a recycled entity id.
/// </remarks>
internal sealed class DdsEntityHandle : SafeHandle
{
    private static int _live;
    private readonly DdsEntityHandle? _parent;

    private DdsEntityHandle(int entity, DdsEntityHandle? parent)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _parent = parent;
        SetHandle(entity);
        Interlocked.Increment(ref _live);
    }

    /// <summary>Gets the number of handles created and not yet released, process-wide.</summary>
    public static int LiveCount => Volatile.Read(ref _live);

    /// <summary>Gets the entity id.</summary>
    public int Entity => (int)handle;

    /// <summary>Gets the result of <c>dds_delete</c> on release (<see cref="DdsStatus.Ok"/> before release or when the parent deleted it).</summary>
    public DdsStatus DeleteStatus { get; private set; }

    /// <inheritdoc />
    public override bool IsInvalid => handle <= IntPtr.Zero;

    /// <summary>Wraps a return value of a <c>dds_create_*</c> call; throws <see cref="DdsException"/> when it is an error.</summary>
    public static DdsEntityHandle FromCreate(int ret, string operation, DdsEntityHandle? parent) =>
        new(DdsException.ThrowIfError(ret, operation), parent);

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        Interlocked.Decrement(ref _live);
        if (_parent is { IsClosed: true })
        {
            return true; // Deleted with its parent.
        }

        DeleteStatus = (DdsStatus)DdsNative.dds_delete((int)handle);
        return DeleteStatus is DdsStatus.Ok or DdsStatus.AlreadyDeleted;
    }
}
