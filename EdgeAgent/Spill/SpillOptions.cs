using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Spill;

/// <summary>The local spill buffer (<c>spill:</c>).</summary>
public sealed class SpillOptions
{
    /// <summary>Gets or sets when batches are written to disk. The default value is <see cref="SpillMode.OnFailure"/>.</summary>
    public SpillMode Mode { get; set; } = SpillMode.OnFailure;

    /// <summary>
    /// Gets or sets the spill directory (created if missing, mode 0700). Empty: automatic —
    /// <c>$STATE_DIRECTORY/spill</c> under systemd, else <c>/var/lib/edge-agent/spill</c> when writable, else
    /// <c>~/.local/state/edge-agent/spill</c>. The default value is empty (automatic).
    /// </summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Gets or sets the size at which a segment file is closed and a new one started (bytes). The default value is 16 MiB.</summary>
    [Range(65536L, 1L << 32)]
    public long SegmentBytes { get; set; } = 16L << 20;

    /// <summary>Gets or sets the most bytes the spill may hold; past it the oldest segment is dropped and counted. The default value is 1 GiB.</summary>
    [Range(131072L, 1L << 42)]
    public long QuotaBytes { get; set; } = 1L << 30;

    /// <summary>Gets or sets how long appended batches may wait before a group commit (write + fsync). The default value is 75 ms.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gets or sets how many appended bytes force a group commit. The default value is 1 MiB.</summary>
    [Range(4096L, 1L << 30)]
    public long CommitBytes { get; set; } = 1L << 20;

    /// <summary>Gets or sets a value indicating whether a commit fsyncs (off only for tests on tmpfs-like media). The default value is <see langword="true"/>.</summary>
    public bool Fsync { get; set; } = true;
}

/// <summary>When the spill is written.</summary>
public enum SpillMode
{
    /// <summary>Only when the upstream is down, the memory queue is over budget, or at shutdown (flash-friendly).</summary>
    OnFailure,

    /// <summary>Every batch is durable before it is sent (write-ahead).</summary>
    Always,
}
