using System.Globalization;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Control.Timing;

/// <summary>What a loop with an empty body measured.</summary>
/// <param name="Settings">The loop that ran.</param>
/// <param name="Report">The real-time settings in force.</param>
/// <param name="WakeupError">Wake time minus deadline (ns).</param>
/// <param name="SleepLatency">How late clock_nanosleep returned after deadline minus the spin margin (ns).</param>
/// <param name="Ticks">Ticks run.</param>
/// <param name="Overruns">Periods skipped.</param>
/// <param name="MeasuredRateHz">Ticks per second over the run.</param>
/// <param name="AllocatedBytes">Bytes allocated on the loop thread after the warm-up.</param>
/// <param name="RssBytes">The process's resident set at the end (VmRSS).</param>
/// <param name="LockedBytes">The process's locked memory at the end (VmLck).</param>
/// <param name="Fault">The exception that ended the loop, if any.</param>
internal sealed record AgentTimingResult(
    LoopSettings Settings,
    RealtimeReport Report,
    LatencySnapshot WakeupError,
    LatencySnapshot SleepLatency,
    long Ticks,
    long Overruns,
    double MeasuredRateHz,
    long AllocatedBytes,
    long RssBytes,
    long LockedBytes,
    Exception? Fault);

/// <summary>The technician's timing check: the agent's loop timing, then cyclictest's, on this machine.</summary>
internal sealed class TimingDiagnostics
{
    private sealed class EmptyBody : ILoopBody
    {
        public void Tick(in LoopTick tick)
        {
        }
    }

    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="TimingDiagnostics"/> class.</summary>
    public TimingDiagnostics(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <summary>Runs a loop with an empty body for <paramref name="duration"/>.</summary>
    /// <param name="settings">The loop to run (the motor loop's settings).</param>
    /// <param name="duration">How long to run.</param>
    /// <param name="everySecond">Called once a second (on the calling thread) with the elapsed seconds and that second's wake-up errors.</param>
    public AgentTimingResult RunAgent(LoopSettings settings, TimeSpan duration, Action<int, LatencySnapshot, long>? everySecond = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var loop = new LoopThread(settings, new EmptyBody(), _logger);
        loop.Start();
        var end = DateTime.UtcNow + duration;
        var previous = loop.Statistics.WakeupError.Snapshot();
        var previousOverruns = 0L;
        var second = 0;
        while (loop.IsRunning)
        {
            var remaining = end - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            Thread.Sleep(remaining < TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1));
            if (everySecond is not null)
            {
                var current = loop.Statistics.WakeupError.Snapshot();
                var overruns = loop.Statistics.Overruns;
                everySecond(++second, current.Subtract(previous), overruns - previousOverruns);
                previous = current;
                previousOverruns = overruns;
            }
        }

        loop.Stop();
        var stats = loop.Statistics;
        var (rss, locked) = ReadMemoryStatus();
        return new AgentTimingResult(
            settings,
            loop.Report,
            stats.WakeupError.Snapshot(),
            stats.SleepLatency.Snapshot(),
            stats.Ticks,
            stats.Overruns,
            stats.MeasuredRateHz,
            stats.AllocatedBytes,
            rss,
            locked,
            loop.Fault);
    }

    /// <summary>Runs cyclictest with the loop's period, priority, affinity and the same duration (after the agent, never alongside).</summary>
    public static CyclictestOutcome RunCyclictest(LoopSettings settings, TimeSpan duration) => CyclictestRunner.Run(settings, duration);

    /// <summary>Reads VmRSS and VmLck of this process (bytes; -1 when unknown).</summary>
    public static (long RssBytes, long LockedBytes) ReadMemoryStatus()
    {
        long rss = -1, locked = -1;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = ParseKb(line);
                }
                else if (line.StartsWith("VmLck:", StringComparison.Ordinal))
                {
                    locked = ParseKb(line);
                }
            }
        }
        catch (IOException)
        {
        }

        return (rss, locked);
    }

    private static long ParseKb(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : -1;
    }
}
