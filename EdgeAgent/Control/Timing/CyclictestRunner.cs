using System.Diagnostics;
using System.Globalization;

namespace EdgeAgent.Control.Timing;

/// <summary>What running cyclictest gave: its result, or why there is none.</summary>
/// <param name="Path">The cyclictest executable; <see langword="null"/> when it is not on PATH.</param>
/// <param name="Arguments">The arguments it was run with.</param>
/// <param name="Result">The parsed histogram; <see langword="null"/> on failure.</param>
/// <param name="Error">Why there is no result (with the fix); <see langword="null"/> on success.</param>
internal sealed record CyclictestOutcome(string? Path, IReadOnlyList<string> Arguments, CyclictestResult? Result, string? Error);

/// <summary>Runs rt-tests' cyclictest with the same period, priority, affinity and duration as a loop.</summary>
internal static class CyclictestRunner
{
    /// <summary>
    /// The histogram range (µs); later samples count as overflows, whose values cyclictest does not print. 100 ms:
    /// past the motor loop's stall limit (safety.max_control_gap, 75 ms by default), so on any machine the loops
    /// can run on the percentiles are inside it. (2 ms was too small for a stock-kernel VM under load: more than
    /// 1 % of the samples overflowed and p99 came out as the max.) The output is 100,000 rows, 1.4 MB.
    /// </summary>
    public const int HistogramUs = 100_000;

    /// <summary>The advice when cyclictest is missing.</summary>
    public const string InstallHint = "cyclictest not found on PATH: install it with 'apt-get install rt-tests' to compare against it";

    /// <summary>Finds an executable on PATH.</summary>
    public static string? FindOnPath(string name = "cyclictest")
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Builds the argument list: <c>-m [-n] -t1 -p PRIO -i PERIOD_US -l LOOPS -q -h 100000 [-a CPU]</c>.</summary>
    /// <param name="settings">The loop to mirror.</param>
    /// <param name="duration">How long to run.</param>
    /// <param name="nanosleepFlag">
    /// Whether to pass <c>-n</c> (clock_nanosleep): rt-tests before 2.0 needed it; 2.x always uses clock_nanosleep and rejects it.
    /// </param>
    public static IReadOnlyList<string> BuildArguments(LoopSettings settings, TimeSpan duration, bool nanosleepFlag)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var periodUs = Math.Max(1L, settings.PeriodNs / 1000);
        var loops = Math.Max(1L, (long)Math.Round(duration.TotalMicroseconds / periodUs));
        var args = new List<string> { "-m" };
        if (nanosleepFlag)
        {
            args.Add("-n");
        }

        args.AddRange(["-t1", "-p", Invariant(Math.Max(0, settings.FifoPriority)), "-i", Invariant(periodUs), "-l", Invariant(loops), "-q", "-h", Invariant(HistogramUs)]);
        if (settings.Cpu >= 0)
        {
            args.AddRange(["-a", Invariant(settings.Cpu)]);
        }

        return args;
    }

    /// <summary>Runs cyclictest (no shell) for <paramref name="duration"/>; kills only its process on timeout.</summary>
    public static CyclictestOutcome Run(LoopSettings settings, TimeSpan duration, string? executable = null)
    {
        executable ??= FindOnPath();
        if (executable is null)
        {
            return new CyclictestOutcome(null, [], null, InstallHint);
        }

        var help = Execute(executable, ["--help"], TimeSpan.FromSeconds(10));
        var nanosleepFlag = help.Output.Contains("--nanosleep", StringComparison.Ordinal);
        var arguments = BuildArguments(settings, duration, nanosleepFlag);
        var run = Execute(executable, arguments, duration + TimeSpan.FromSeconds(30));
        if (run.Error is not null)
        {
            return new CyclictestOutcome(executable, arguments, null, run.Error);
        }

        try
        {
            return new CyclictestOutcome(executable, arguments, CyclictestResult.Parse(run.Output), null);
        }
        catch (FormatException ex)
        {
            var detail = run.StdErr.Trim();
            return new CyclictestOutcome(executable, arguments, null, detail.Length > 0 ? $"{ex.Message}: {detail}" : ex.Message);
        }
    }

    private static (string Output, string StdErr, string? Error) Execute(string executable, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (string.Empty, string.Empty, $"cannot start {executable}: {ex.Message}");
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: false);
            }
            catch (InvalidOperationException)
            {
                // It ended between the timeout and the kill.
            }

            process.WaitForExit();
            return (stdout.Result, stderr.Result, $"{executable} did not finish within {timeout.TotalSeconds:F0} s and was killed (pid {process.Id})");
        }

        process.WaitForExit();   // drains the redirected streams
        var output = stdout.Result;
        var error = stderr.Result;
        return process.ExitCode == 0 || arguments is ["--help"]
            ? (output + error, error, null)
            : (output, error, $"{executable} exited with code {process.ExitCode}: {error.Trim()}");
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
