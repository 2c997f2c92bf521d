using System.Runtime.InteropServices;
using EdgeAgent.Configuration;
using EdgeAgent.Configuration.Internal;
using EdgeAgent.Control;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>The outcome of the last reload, for the status line and the run summary.</summary>
/// <param name="At">When it was tried.</param>
/// <param name="Applied">Whether the new values went live.</param>
/// <param name="Message">What changed, or why it was rejected.</param>
internal sealed record ReloadResult(DateTimeOffset At, bool Applied, string Message);

/// <summary>
/// Re-tunes the running loops on SIGHUP (<c>systemctl reload</c>), or on a file change with
/// <c>run --watch-config</c>: the whole file is loaded and validated again and compared key by key with the
/// running configuration. If every changed key is live-tunable (<see cref="LiveTunableAttribute"/>), one new
/// <see cref="ControlTuning"/> snapshot is published with one write (a tick sees all old or all new values)
/// and each change is logged old → new. An invalid file, or a change to a key that needs a restart, is
/// rejected whole: nothing changes, and the reason is logged and kept in <see cref="LastResult"/>.
/// </summary>
internal sealed class ConfigReloader : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly ControlParts _parts;
    private readonly RunSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly object _gate = new();
    private readonly List<ConfigOverlay> _overlays = [];
    private readonly PosixSignalRegistration? _hup;
    private AgentOptions _current;
    private long _version;
    private volatile ReloadResult? _last;
    private int _applied;
    private int _rejected;

    /// <summary>Initializes a new instance of the <see cref="ConfigReloader"/> class.</summary>
    public ConfigReloader(ControlParts parts, AgentOptions options, RunSettings settings, ILogger<ConfigReloader> logger, TimeProvider? time = null)
    {
        _parts = parts;
        _current = options;
        _settings = settings;
        _logger = logger;
        _time = time ?? TimeProvider.System;

        // Registered here, when the host builds its services and before any of them starts, not in
        // ExecuteAsync: a SIGHUP that arrives the moment the loops run (systemctl reload right after start)
        // must be a reload, never the default action of SIGHUP, which ends the process.
        _hup = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _signal.Release();
        });
    }

    /// <summary>Gets how many reloads were applied.</summary>
    public int Applied => Volatile.Read(ref _applied);

    /// <summary>Gets how many reloads were rejected.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    /// <summary>Gets the outcome of the last reload; null before the first.</summary>
    public ReloadResult? LastResult => _last;

    /// <summary>Gets the fleet overlays in force (applied <c>set_tuning</c> and <c>set_geofence</c> commands), oldest first.</summary>
    public IReadOnlyList<ConfigOverlay> Overlays
    {
        get
        {
            lock (_gate)
            {
                return [.. _overlays];
            }
        }
    }

    /// <summary>Loads the file again and applies it if every change is live-tunable.</summary>
    /// <remarks>The fleet overlays in force stay laid over the file: the running configuration is file, environment, overlays, until a restart.</remarks>
    /// <returns><see langword="true"/> when the new values were applied (or nothing changed).</returns>
    public bool ReloadNow()
    {
        lock (_gate)
        {
            return Apply([.. _overlays], _settings.ConfigPath, fromFleet: false).Applied;
        }
    }

    /// <summary>
    /// Lays a fleet overlay over the running configuration: the file is loaded again with every overlay in
    /// force and this one on top, validated exactly as the file is, and applied through the same atomic swap as
    /// a reload, or rejected whole (a key that needs a restart, the <c>commands</c> section, an invalid value).
    /// </summary>
    /// <param name="overlay">The overlay.</param>
    /// <returns>What became of it (the same record <see cref="LastResult"/> then holds).</returns>
    public ReloadResult ApplyOverlay(ConfigOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        lock (_gate)
        {
            ReloadResult result = Apply([.. _overlays, overlay], overlay.Name, fromFleet: true);
            if (result.Applied)
            {
                _overlays.Add(overlay);
            }

            return result;
        }
    }

    private ReloadResult Apply(IReadOnlyList<ConfigOverlay> overlays, string what, bool fromFleet)
    {
        AgentOptions next;
        try
        {
            next = AgentConfigLoader.Load(_settings.ConfigPath, null, overlays);
        }
        catch (AgentConfigException ex)
        {
            return Reject(ex.Errors.Count == 1 ? ex.Errors[0].ToString() : $"{ex.Errors.Count} errors: " + string.Join("; ", ex.Errors), string.Join(Environment.NewLine, ex.Errors));
        }
        catch (Exception ex)
        {
            // Whatever else goes wrong in loading (a parser bug, memory) must not end the running robot:
            // the old configuration stays, the loops keep running, the operator sees why.
            string message = $"{_settings.ConfigPath}: could not be loaded ({ex.GetType().Name}: {ex.Message}); the running configuration is kept";
            return Reject(message, message);
        }

        List<OptionChange> changes = OptionsDiff.Compare(_current, next);
        List<OptionChange> policy = changes.FindAll(c => c.Key.StartsWith("commands.", StringComparison.Ordinal));
        if (policy.Count > 0 && fromFleet)
        {
            string message = $"a fleet overlay cannot change the robot's command policy ({string.Join("; ", policy)}); nothing was applied. Fix: change commands.* in the robot's own configuration file";
            return Reject(message, message);
        }

        List<OptionChange> restart = changes.FindAll(c => !c.Live);
        if (restart.Count > 0)
        {
            string keys = string.Join("; ", restart);
            string message = $"needs a restart: {keys}. Fix: restart the agent (systemctl restart edge-agent) to apply, or undo these keys; nothing was applied";
            return Reject(message, message);
        }

        if (changes.Count == 0)
        {
            HostingLog.ReloadNoChange(_logger, what);
            return Record(new ReloadResult(_time.GetUtcNow(), true, "no change"));
        }

        _parts.Tuning.Publish(ControlTuning.From(next, ++_version));
        _current = next;
        foreach (OptionChange change in changes)
        {
            HostingLog.ReloadChanged(_logger, change.Key, change.Before, change.After);
        }

        Interlocked.Increment(ref _applied);
        HostingLog.Reloaded(_logger, what, changes.Count);
        return Record(new ReloadResult(_time.GetUtcNow(), true, $"applied {changes.Count} change(s): " + string.Join("; ", changes) + $" (tuning version {_version})"));
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using FileSystemWatcher? watcher = _settings.WatchConfig ? Watch(_settings.ConfigPath) : null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);

                // Editors write a file in several steps: wait until it has been quiet, then read it once.
                await Task.Delay(Debounce, stoppingToken).ConfigureAwait(false);
                while (_signal.CurrentCount > 0)
                {
                    await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                ReloadNow();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _hup?.Dispose();
        _signal.Dispose();
        base.Dispose();
    }

    private ReloadResult Reject(string summary, string detail)
    {
        Interlocked.Increment(ref _rejected);
        HostingLog.ReloadRejected(_logger, detail);
        return Record(new ReloadResult(_time.GetUtcNow(), false, summary));
    }

    private ReloadResult Record(ReloadResult result)
    {
        _last = result;
        return result;
    }

    private FileSystemWatcher? Watch(string path)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            return null;
        }

        var watcher = new FileSystemWatcher(directory, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
        };
        watcher.Changed += (_, _) => _signal.Release();
        watcher.Created += (_, _) => _signal.Release();
        watcher.Renamed += (_, _) => _signal.Release();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }
}
