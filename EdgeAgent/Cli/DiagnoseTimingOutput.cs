using System.Globalization;
using System.Text.Json;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;

namespace EdgeAgent.Cli;

/// <summary>Prints the results of <c>diagnose timing</c>: text for a technician, or one JSON document.</summary>
internal static class DiagnoseTimingOutput
{
    private static readonly double[] Percentiles = [50.0, 99.0, 99.9];

    public static void WriteHeader(TextWriter output, LoopSettings settings, TimeSpan duration)
    {
        output.WriteLine(Invariant($"Loop timing: {duration.TotalSeconds:F0} s at {1e9 / settings.PeriodNs:F1} Hz (period {settings.PeriodNs / 1e3:F1} µs), SCHED_FIFO priority {settings.FifoPriority}, CPU {CpuText(settings.Cpu)}, spin margin {settings.SpinMarginNs / 1e3:F1} µs"));
        output.WriteLine("Kernel: " + KernelReport.Describe(KernelReport.Read()));
    }

    /// <summary>Writes what stalls to expect on this machine, from the agent's measured sleep latency.</summary>
    public static void WriteExpectation(TextWriter output, AgentTimingResult agent, long maxControlGapNs)
    {
        output.WriteLine("Expect: " + KernelReport.Expectation(KernelReport.Read(), agent.SleepLatency, 0, maxControlGapNs, out _));
    }

    public static void WriteSecond(TextWriter output, int second, LatencySnapshot interval, long overruns)
    {
        output.WriteLine(Invariant($"  {second,4} s  wake-up error p99 {Us(interval.ValueAtPercentile(99))} µs  max {Us(interval.Max)} µs  overruns {overruns}"));
    }

    public static void WriteAgent(TextWriter output, AgentTimingResult agent)
    {
        var r = agent.Report;
        output.WriteLine(Invariant($"Real-time: {(r.Fifo ? $"SCHED_FIFO {r.FifoPriority}" : "SCHED_OTHER")}, CPU {CpuText(r.Cpu)}, mlockall {(r.MemoryLocked ? "on (on fault)" : "off")}, timer slack {r.TimerSlackNs} ns{(r.Fifo ? " (the kernel gives SCHED_FIFO none)" : string.Empty)}; RSS {Mib(agent.RssBytes)} MiB (VmLck {Mib(agent.LockedBytes)} MiB counts address space locked on fault, not resident memory)"));
        foreach (var warning in r.Warnings)
        {
            output.WriteLine($"  warning: {warning.Message}");
        }

        output.WriteLine(Invariant($"Agent: {agent.Ticks} ticks, {agent.Overruns} overruns, {agent.MeasuredRateHz:F2} Hz measured, {agent.AllocatedBytes} bytes allocated on the loop thread after warm-up"));
        if (agent.Fault is not null)
        {
            output.WriteLine($"  the loop faulted: {agent.Fault.Message}");
        }
    }

    public static void WriteComparison(TextWriter output, AgentTimingResult agent, CyclictestOutcome? cyclictest)
    {
        output.WriteLine();
        output.WriteLine(Invariant($"{"wake-up error (µs)",-34}{"p50",10}{"p99",10}{"p99.9",10}{"max",10}"));
        var a = Figures(agent.WakeupError);
        Row(output, "agent (sleep + spin)", a);
        Row(output, "agent clock_nanosleep alone", Figures(agent.SleepLatency));
        if (cyclictest?.Result is { } ct)
        {
            var c = Figures(ct);
            var sleep = Figures(agent.SleepLatency);
            Row(output, "cyclictest", c, ct.RangeUs);
            output.WriteLine(Invariant($"{"ratio sleep alone / cyclictest",-34}{Ratio(sleep[0], c[0]),10}{Ratio(sleep[1], c[1]),10}{Ratio(sleep[2], c[2]),10}{Ratio(sleep[3], c[3]),10}"));
            output.WriteLine(Invariant($"cyclictest: {ct.Count} samples, {ct.Overflows} past its {ct.RangeUs} µs histogram (a percentile among them shows as >{ct.RangeUs}); 1 µs resolution (truncated). Command: cyclictest {string.Join(' ', cyclictest.Arguments)}"));
            output.WriteLine("Like for like, the ratio compares the agent's clock_nanosleep with cyclictest's (both the kernel's wake-up latency); the sleep + spin row is what the controllers see while the kernel wakes the loop within the spin margin.");
        }
        else if (cyclictest is not null)
        {
            output.WriteLine($"cyclictest: {cyclictest.Error}");
        }

        output.WriteLine("The spin margin should exceed the clock_nanosleep p99.9 (better: its max) under load; the agent row is what the controllers see.");
    }

    public static void WriteJson(Stream stream, AgentTimingResult agent, CyclictestOutcome? cyclictest, TimeSpan duration)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var s = agent.Settings;
        w.WriteStartObject();
        w.WriteNumber("seconds", duration.TotalSeconds);
        w.WriteNumber("rateHz", 1e9 / s.PeriodNs);
        w.WriteNumber("periodUs", s.PeriodNs / 1e3);
        w.WriteNumber("spinMarginUs", s.SpinMarginNs / 1e3);
        w.WriteNumber("priority", s.FifoPriority);
        w.WriteNumber("cpu", s.Cpu);
        KernelFacts kernel = KernelReport.Read();
        w.WriteStartObject("kernel");
        w.WriteString("release", kernel.Release);
        w.WriteBoolean("preemptRt", kernel.PreemptRt);
        w.WriteString("preemption", kernel.Preemption);
        w.WriteString("isolatedCpus", kernel.IsolatedCpus);
        w.WriteString("governors", kernel.Governors);
        w.WriteBoolean("hypervisor", kernel.Hypervisor);
        w.WriteString("expectation", KernelReport.Expectation(kernel, agent.SleepLatency, 0, (long)(new EdgeAgent.Control.Safety.SafetyOptions().MaxControlGap.Ticks * TimeSpan.NanosecondsPerTick), out _));
        w.WriteEndObject();

        w.WriteStartObject("agent");
        w.WriteNumber("ticks", agent.Ticks);
        w.WriteNumber("overruns", agent.Overruns);
        w.WriteNumber("measuredRateHz", Math.Round(agent.MeasuredRateHz, 3));
        w.WriteNumber("allocatedBytesAfterWarmup", agent.AllocatedBytes);
        w.WriteNumber("rssBytes", agent.RssBytes);
        w.WriteNumber("lockedBytes", agent.LockedBytes);
        w.WriteStartObject("realtime");
        w.WriteBoolean("fifo", agent.Report.Fifo);
        w.WriteNumber("priority", agent.Report.FifoPriority);
        w.WriteNumber("cpu", agent.Report.Cpu);
        w.WriteBoolean("memoryLocked", agent.Report.MemoryLocked);
        w.WriteNumber("timerSlackNs", agent.Report.TimerSlackNs);
        w.WriteStartArray("warnings");
        foreach (var warning in agent.Report.Warnings)
        {
            w.WriteStringValue(warning.Message);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        WriteFigures(w, "wakeupErrorUs", Figures(agent.WakeupError), agent.WakeupError.Count, agent.WakeupError.Mean / 1e3);
        WriteFigures(w, "sleepLatencyUs", Figures(agent.SleepLatency), agent.SleepLatency.Count, agent.SleepLatency.Mean / 1e3);
        if (agent.Fault is null)
        {
            w.WriteNull("fault");
        }
        else
        {
            w.WriteString("fault", agent.Fault.Message);
        }

        w.WriteEndObject();

        w.WriteStartObject("cyclictest");
        w.WriteBoolean("available", cyclictest?.Path is not null);
        w.WriteString("command", cyclictest is { Path: not null } ? $"{cyclictest.Path} {string.Join(' ', cyclictest.Arguments)}" : null);
        w.WriteString("error", cyclictest?.Error);
        if (cyclictest?.Result is { } ct)
        {
            WriteFigures(w, "latencyUs", Figures(ct), ct.Count, ct.AvgUs);
            w.WriteNumber("overflows", ct.Overflows);
            w.WriteNumber("histogramRangeUs", ct.RangeUs);
            var sleep = Figures(agent.SleepLatency);
            var c = Figures(ct);
            WriteRatios(w, "ratioSleepToCyclictest", sleep, c);
            WriteRatios(w, "ratioAgentToCyclictest", Figures(agent.WakeupError), c);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>Ratios of two rows of figures; null where the denominator is 0 or either is past the histogram.</summary>
    private static void WriteRatios(Utf8JsonWriter w, string name, double[] a, double[] c)
    {
            w.WriteStartObject(name);
            string[] names = ["p50", "p99", "p99_9", "max"];
            for (var i = 0; i < names.Length; i++)
            {
                if (c[i] > 0 && double.IsFinite(c[i]) && double.IsFinite(a[i]))
                {
                    w.WriteNumber(names[i], Math.Round(a[i] / c[i], 4));
                }
                else
                {
                    w.WriteNull(names[i]);
                }
            }

            w.WriteEndObject();
    }

    /// <summary>p50, p99, p99.9 and max in µs.</summary>
    private static double[] Figures(LatencySnapshot snapshot) =>
        [.. Percentiles.Select(p => snapshot.ValueAtPercentile(p) / 1e3), snapshot.Max / 1e3];

    /// <summary>p50, p99, p99.9 and max in µs; NaN where the percentile is past the histogram (see <see cref="CyclictestResult.RangeUs"/>).</summary>
    private static double[] Figures(CyclictestResult result) =>
        [.. Percentiles.Select(p => result.ValueAtPercentileUs(p) is { } us ? us : double.NaN), result.MaxUs];

    private static void WriteFigures(Utf8JsonWriter w, string name, double[] figures, long count, double mean)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", count);
        w.WriteNumber("mean", Math.Round(mean, 3));
        string[] names = ["p50", "p99", "p99_9", "max"];
        for (var i = 0; i < names.Length; i++)
        {
            if (double.IsFinite(figures[i]))
            {
                w.WriteNumber(names[i], Math.Round(figures[i], 3));
            }
            else
            {
                w.WriteNull(names[i]); // past cyclictest's histogram
            }
        }

        w.WriteEndObject();
    }

    private static void Row(TextWriter output, string label, double[] f, long rangeUs = 0) =>
        output.WriteLine(Invariant($"{label,-34}{Cell(f[0], rangeUs),10}{Cell(f[1], rangeUs),10}{Cell(f[2], rangeUs),10}{Cell(f[3], rangeUs),10}"));

    private static string Cell(double value, long rangeUs) =>
        double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : ">" + rangeUs.ToString(CultureInfo.InvariantCulture);

    private static string Ratio(double agent, double cyclictest) =>
        cyclictest > 0 && double.IsFinite(cyclictest) && double.IsFinite(agent) ? (agent / cyclictest).ToString("F3", CultureInfo.InvariantCulture) : "n/a";

    private static string Us(long ns) => (ns / 1e3).ToString("F2", CultureInfo.InvariantCulture);

    private static string Mib(long bytes) => bytes < 0 ? "?" : (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);

    private static string CpuText(int cpu) => cpu < 0 ? "any" : cpu.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
