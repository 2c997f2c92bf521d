using System.Globalization;
using System.Text;
using EdgeAgent.Control.Timing;

namespace EdgeAgent.Hosting;

/// <summary>Renders a loop thread's realtime report for a person: what the kernel actually gave it.</summary>
internal static class RealtimeText
{
    /// <summary>Describes the report in one line.</summary>
    /// <param name="report">The report.</param>
    /// <returns>For example <c>SCHED_FIFO 80, cpu any, memory locked, timer slack 1000 ns</c>.</returns>
    public static string Describe(RealtimeReport report)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{(report.Fifo ? $"SCHED_FIFO {report.FifoPriority}" : "SCHED_OTHER")}, ");
        text.Append(CultureInfo.InvariantCulture, $"cpu {(report.Cpu < 0 ? "any" : report.Cpu.ToString(CultureInfo.InvariantCulture))}, ");
        text.Append(report.MemoryLocked ? "memory locked" : "memory not locked");
        if (report.TimerSlackNs >= 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", timer slack {report.TimerSlackNs} ns");
        }

        foreach (RealtimeWarning warning in report.Warnings)
        {
            text.Append(CultureInfo.InvariantCulture, $"; not applied: {warning.Message}");
        }

        return text.ToString();
    }
}
