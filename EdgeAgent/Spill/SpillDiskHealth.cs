using Microsoft.Extensions.Logging;

namespace EdgeAgent.Spill;

/// <summary>
/// Whether the spill's disk can be written. Full (or failing) is a state, not an error per commit: one warning
/// when it begins (with the free space), one line when it ends (how long, how many appends were refused), and
/// a probe write while nothing is buffered to learn when it is over. Not thread-safe: callers hold the gate.
/// </summary>
/// <param name="directory">The spill directory.</param>
/// <param name="quotaBytes">The quota (for the warning).</param>
/// <param name="logger">The logger.</param>
/// <param name="time">The clock (for the episode's length).</param>
internal sealed class SpillDiskHealth(string directory, long quotaBytes, ILogger logger, TimeProvider time)
{
    /// <summary>How often an unwritable spill retries the disk.</summary>
    internal static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    /// <summary>The probe an unwritable spill with nothing buffered writes to test the disk.</summary>
    internal const string ProbeFileName = "write-probe.tmp";

    private const int ProbeBytes = 64 << 10;

    private long _since;
    private long _refusedAtEntry;

    /// <summary>Gets a value indicating whether the disk is full or failing now.</summary>
    public bool IsUnwritable { get; private set; }

    /// <summary>Gets why (empty when writable).</summary>
    public string Reason { get; private set; } = string.Empty;

    /// <summary>Gets the times the spill became unwritable.</summary>
    public long Episodes { get; private set; }

    /// <summary>Enters the unwritable state (once per episode: later failures say nothing).</summary>
    /// <param name="ex">What failed.</param>
    /// <param name="diskBytes">The spill's bytes now.</param>
    /// <param name="refused">The appends refused so far.</param>
    public void Enter(Exception ex, long diskBytes, long refused)
    {
        if (IsUnwritable)
        {
            return;
        }

        IsUnwritable = true;
        Episodes++;
        _since = time.GetTimestamp();
        Reason = ex.Message;
        _refusedAtEntry = refused;
        long free = FreeBytes();
        SpillLogMessages.Unwritable(logger, directory, ex.Message, free, quotaBytes, diskBytes, (long)Retry.TotalMilliseconds);
    }

    /// <summary>Leaves the unwritable state after a commit succeeded.</summary>
    /// <param name="refused">The appends refused so far.</param>
    public void Leave(long refused)
    {
        if (!IsUnwritable)
        {
            return;
        }

        IsUnwritable = false;
        double seconds = time.GetElapsedTime(_since).TotalSeconds;
        long free = FreeBytes();
        SpillLogMessages.Writable(logger, directory, seconds, refused - _refusedAtEntry, free);
        Reason = string.Empty;
    }

    /// <summary>Whether a probe file of <see cref="ProbeBytes"/> can be written, fsynced and deleted.</summary>
    /// <returns><see langword="true"/> when the disk takes writes again.</returns>
    public bool Probe()
    {
        string path = Path.Combine(directory, ProbeFileName);
        try
        {
            using (var probe = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                probe.Write(new byte[ProbeBytes]);
                probe.Flush(flushToDisk: true);
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception deleteFailed) when (deleteFailed is IOException or UnauthorizedAccessException)
            {
                // Nothing to do: the next probe overwrites it, recovery deletes it.
            }

            return false;
        }
    }

    private long FreeBytes()
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return -1;
        }
    }
}
