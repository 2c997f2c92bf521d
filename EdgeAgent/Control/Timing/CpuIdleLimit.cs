using System.Buffers.Binary;

namespace EdgeAgent.Control.Timing;

/// <summary>
/// A Linux PM QoS request on <c>/dev/cpu_dma_latency</c>: while it is held (the file stays open), the CPUs
/// are kept out of idle states whose exit latency is above the requested value, so a sleeping loop thread
/// wakes without a deep-idle exit on top of the kernel's timer latency. cyclictest makes the same request
/// (0 µs) while it runs. It costs power; <c>timing.limit_cpu_idle: false</c> turns it off.
/// </summary>
internal sealed class CpuIdleLimit : IDisposable
{
    /// <summary>The PM QoS device.</summary>
    public const string DevicePath = "/dev/cpu_dma_latency";

    private readonly FileStream _device;

    private CpuIdleLimit(FileStream device) => _device = device;

    /// <summary>Requests the CPU idle exit latency limit and holds it until disposed.</summary>
    /// <param name="latencyMicroseconds">The largest idle exit latency allowed, µs (0: no idle states but the shallowest).</param>
    /// <param name="warning">Why it could not be held, with the fix; null when held.</param>
    /// <returns>The held request, or null.</returns>
    public static CpuIdleLimit? TryHold(int latencyMicroseconds, out string? warning)
    {
        try
        {
            var device = new FileStream(DevicePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            Span<byte> value = stackalloc byte[sizeof(int)];
            BinaryPrimitives.WriteInt32LittleEndian(value, latencyMicroseconds);
            device.Write(value);
            device.Flush();
            warning = null;
            return new CpuIdleLimit(device);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            warning = $"{DevicePath} could not be held ({ex.Message}): CPUs may enter deep idle states and wake late; run as root, or grant write access to {DevicePath} (udev rule), or set timing.limit_cpu_idle: false";
            return null;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _device.Dispose();
}
