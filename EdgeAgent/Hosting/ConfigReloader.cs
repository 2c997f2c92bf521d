using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// Re-tunes the running loops when the configuration file changes or on SIGHUP: the whole file is loaded
/// and validated again; if valid, the motor gains, joint limits and balance gains are swapped in between
/// ticks, atomically; if not, nothing changes and the errors are logged. Other sections need a restart.
/// </summary>
internal sealed class ConfigReloader : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly ControlParts _parts;
    private readonly RunSettings _settings;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0);
    private AgentOptions _current;

    /// <summary>Initializes a new instance of the <see cref="ConfigReloader"/> class.</summary>
    public ConfigReloader(ControlParts parts, AgentOptions options, RunSettings settings, ILogger<ConfigReloader> logger)
    {
        _parts = parts;
        _current = options;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>Gets how many reloads were applied.</summary>
    public int Applied { get; private set; }

    /// <summary>Gets how many reloads were rejected.</summary>
    public int Rejected { get; private set; }

    /// <summary>Loads the file again and applies what can change while running.</summary>
    /// <returns><see langword="true"/> when the new gains were applied.</returns>
    public bool ReloadNow()
    {
        AgentOptions next;
        try
        {
            next = AgentConfigLoader.Load(_settings.ConfigPath);
        }
        catch (AgentConfigException ex)
        {
            Rejected++;
            HostingLog.ReloadRejected(_logger, string.Join(Environment.NewLine, ex.Errors));
            return false;
        }

        if (!next.Robot.Joints.Select(j => j.Name).SequenceEqual(_current.Robot.Joints.Select(j => j.Name), StringComparer.Ordinal))
        {
            Rejected++;
            HostingLog.ReloadRejected(_logger, "robot.joints: the joint names or their order changed. Fix: restart the agent to change the joint table");
            return false;
        }

        var gains = MotorGains.From(next.Robot, next.Motor);
        _parts.Controller.ApplyGains(gains);
        _parts.Safety.ApplyLimits(gains);
        _parts.Balance.ApplyGains(next.Balance);
        string restart = string.Join(", ", ChangedSectionsNeedingRestart(_current, next));
        if (restart.Length > 0)
        {
            HostingLog.ReloadNeedsRestart(_logger, restart);
        }

        _current = next;
        Applied++;
        HostingLog.Reloaded(_logger, _settings.ConfigPath);
        return true;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using PosixSignalRegistration? hup = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _signal.Release();
        });
        using FileSystemWatcher? watcher = Watch(_settings.ConfigPath);
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
        _signal.Dispose();
        base.Dispose();
    }

    private static IEnumerable<string> ChangedSectionsNeedingRestart(AgentOptions before, AgentOptions after)
    {
        if (Json(before.Hal) != Json(after.Hal))
        {
            yield return "hal";
        }

        if (Json(before.Timing) != Json(after.Timing))
        {
            yield return "timing";
        }

        if (Json(before.Safety) != Json(after.Safety))
        {
            yield return "safety";
        }

        if (before.Motor.RateHz != after.Motor.RateHz || before.Balance.RateHz != after.Balance.RateHz || before.Balance.Enabled != after.Balance.Enabled)
        {
            yield return "loop rates";
        }

        if (before.Robot.Id != after.Robot.Id || Json(before.Uplink) != Json(after.Uplink))
        {
            yield return "robot.id/uplink";
        }
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

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
