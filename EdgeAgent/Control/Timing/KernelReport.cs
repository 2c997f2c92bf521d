using System.Globalization;
using System.Text;

namespace EdgeAgent.Control.Timing;

/// <summary>What the kernel can do for the loops, read from /proc and /sys.</summary>
/// <param name="Release">The kernel release, such as <c>6.1.0-26-amd64</c>.</param>
/// <param name="PreemptRt">Whether the kernel is PREEMPT_RT (fully preemptible).</param>
/// <param name="Preemption">The preemption model as the kernel names it: PREEMPT_RT, PREEMPT_DYNAMIC, PREEMPT, or voluntary/none.</param>
/// <param name="IsolatedCpus">The CPUs isolated from the scheduler (<c>isolcpus</c>), or empty.</param>
/// <param name="Governors">The cpufreq governors in use, or empty when the machine has no cpufreq (a VM, a fixed clock).</param>
/// <param name="Hypervisor">Whether the machine runs under a hypervisor (a VM).</param>
internal sealed record KernelFacts(string Release, bool PreemptRt, string Preemption, string IsolatedCpus, string Governors, bool Hypervisor);

/// <summary>
/// Says what the kernel can do (PREEMPT_RT or not, isolated CPUs, cpufreq governor) and, from the measured
/// sleep latency, what stalls to expect, so a VM's hiccups are not mistaken for a broken agent.
/// </summary>
internal static class KernelReport
{
    /// <summary>How long the loops run before the agent says what stalls to expect.</summary>
    public static readonly TimeSpan ObservationTime = TimeSpan.FromSeconds(10);

    /// <summary>Reads the facts of this machine (Linux; elsewhere every field is unknown).</summary>
    /// <param name="root">The file-system root to read under (tests pass a fake /proc and /sys).</param>
    /// <returns>The facts.</returns>
    public static KernelFacts Read(string root = "/")
    {
        string version = ReadText(root, "proc/sys/kernel/version");
        bool rt = ReadText(root, "sys/kernel/realtime") == "1" || version.Contains("PREEMPT_RT", StringComparison.Ordinal);
        string preemption = rt ? "PREEMPT_RT"
            : version.Contains("PREEMPT_DYNAMIC", StringComparison.Ordinal) ? "PREEMPT_DYNAMIC"
            : version.Contains("PREEMPT", StringComparison.Ordinal) ? "PREEMPT"
            : "voluntary/none";
        var governors = new SortedSet<string>(StringComparer.Ordinal);
        string cpus = Path.Combine(root, "sys/devices/system/cpu");
        if (Directory.Exists(cpus))
        {
            foreach (string cpu in Directory.EnumerateDirectories(cpus, "cpu*"))
            {
                string governor = ReadText(cpu, "cpufreq/scaling_governor");
                if (governor.Length > 0)
                {
                    governors.Add(governor);
                }
            }
        }

        bool hypervisor = ReadText(root, "sys/hypervisor/type").Length > 0
            || ReadText(root, "proc/cpuinfo").Contains(" hypervisor", StringComparison.Ordinal);
        return new KernelFacts(
            ReadText(root, "proc/sys/kernel/osrelease"), rt, preemption, ReadText(root, "sys/devices/system/cpu/isolated"), string.Join(", ", governors), hypervisor);
    }

    /// <summary>One line of the facts, for the start-up log and <c>diagnose timing</c>.</summary>
    /// <param name="facts">The facts.</param>
    /// <returns>For example <c>6.1.0-26-amd64, PREEMPT_DYNAMIC (not PREEMPT_RT), isolated CPUs: none, cpufreq: none (VM or fixed clock), under a hypervisor</c>.</returns>
    public static string Describe(KernelFacts facts)
    {
        var text = new StringBuilder();
        text.Append(facts.Release.Length > 0 ? facts.Release : "unknown kernel").Append(", ");
        text.Append(facts.PreemptRt ? "PREEMPT_RT" : $"{facts.Preemption} (not PREEMPT_RT)");
        text.Append(", isolated CPUs: ").Append(facts.IsolatedCpus.Length > 0 ? facts.IsolatedCpus : "none");
        text.Append(", cpufreq governor: ").Append(facts.Governors.Length > 0 ? facts.Governors : "none (VM or fixed clock)");
        if (facts.Hypervisor)
        {
            text.Append(", under a hypervisor (VM)");
        }

        return text.ToString();
    }

    /// <summary>What stalls to expect on this machine, from the sleep latency the motor loop measured.</summary>
    /// <param name="facts">The kernel facts.</param>
    /// <param name="sleepLatency">The motor loop's sleep latency so far.</param>
    /// <param name="longestGapNs">The longest gap between two motor ticks so far (ns); 0 when unknown.</param>
    /// <param name="maxControlGapNs">The configured <c>safety.max_control_gap</c> (ns).</param>
    /// <param name="good">Whether the machine is fit for a robot (PREEMPT_RT, isolated CPUs, sub-millisecond stalls).</param>
    /// <returns>One line for a person.</returns>
    public static string Expectation(KernelFacts facts, LatencySnapshot sleepLatency, long longestGapNs, long maxControlGapNs, out bool good)
    {
        long worst = Math.Max(sleepLatency.Max, longestGapNs);
        string measured = string.Create(
            CultureInfo.InvariantCulture,
            $"sleep latency p99.9 {sleepLatency.ValueAtPercentile(99.9) / 1e3:F0} µs, max {sleepLatency.Max / 1e6:F2} ms over {sleepLatency.Count} wake-ups{(longestGapNs > 0 ? $", longest control gap {longestGapNs / 1e6:F1} ms" : string.Empty)}");
        string limit = string.Create(CultureInfo.InvariantCulture, $"max_control_gap is {maxControlGapNs / 1e6:F0} ms");
        good = facts.PreemptRt && facts.IsolatedCpus.Length > 0 && worst < 500_000;
        if (good)
        {
            return $"PREEMPT_RT with isolated CPUs {facts.IsolatedCpus}: {measured}; fit for the loops ({limit}).";
        }

        string kind = facts.PreemptRt ? "PREEMPT_RT without isolated CPUs" : $"stock kernel ({facts.Preemption})";
        string where = facts.Hypervisor ? " under a hypervisor" : string.Empty;
        string expect = facts.Hypervisor
            ? "expect stalls of 5-15 ms a few times a minute and of 50-60 ms now and then (the hypervisor deschedules the vCPU)"
            : "expect stalls of up to a few ms under load";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{kind}{where}: {measured}; {expect}. Stalls shorter than {maxControlGapNs / 1e6:F0} ms are reported, not trips ({limit}). For a robot: a PREEMPT_RT kernel with isolated CPUs (check with `edge-agent diagnose timing`).");
    }

    private static string ReadText(string directory, string relative)
    {
        try
        {
            string path = Path.Combine(directory, relative);
            if (!File.Exists(path))
            {
                return string.Empty;
            }

            // /proc/cpuinfo is large on big machines; its first CPU says enough.
            using var reader = new StreamReader(path);
            char[] buffer = new char[16384];
            int read = reader.ReadBlock(buffer, 0, buffer.Length);
            return new string(buffer, 0, read).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
