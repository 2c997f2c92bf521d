using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using EdgeAgent.Configuration;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Cli;

/// <summary>The <c>diagnose</c> verb: checks of this machine for the agent (<c>diagnose timing</c>).</summary>
internal static class DiagnoseCommand
{
    /// <summary>Exit code when the loop faulted or cyclictest failed (not when it is missing).</summary>
    public const int ExitFailure = 1;

    /// <summary>Creates the <c>diagnose</c> command.</summary>
    /// <param name="loadConfig">
    /// Integration seam: loads <c>--config FILE</c> into <see cref="AgentOptions"/> (the configuration loader,
    /// e.g. <c>AgentConfigLoader.Load</c>); it may throw with a message that names the key and the fix.
    /// Without it, <c>--config</c> is refused and the defaults plus the explicit flags are used.
    /// </param>
    public static Command Create(Func<string, AgentOptions>? loadConfig = null)
    {
        var diagnose = new Command("diagnose", "Checks this machine for the agent.");
        diagnose.Subcommands.Add(CreateTiming(loadConfig));
        return diagnose;
    }

    private static Command CreateTiming(Func<string, AgentOptions>? loadConfig)
    {
        var seconds = new Option<int>("--seconds") { Description = "How long each run lasts (s): the agent's loop, then cyclictest.", DefaultValueFactory = _ => 10 };
        seconds.Validators.Add(r => Check(r, r.GetValueOrDefault<int>() is >= 1 and <= 86_400, "--seconds must be 1-86400"));
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of text." };
        var config = new Option<string?>("--config") { Description = "The agent configuration (agent.yaml) whose timing and motor settings to use; the defaults without it." };
        var rate = new Option<double?>("--rate-hz") { Description = "Loop rate (Hz); overrides motor.rate_hz." };
        rate.Validators.Add(r => Check(r, r.GetValueOrDefault<double?>() is null or (>= 10.0 and <= 10_000.0), "--rate-hz must be 10-10000"));
        var priority = new Option<int?>("--priority") { Description = "SCHED_FIFO priority 1-99, 0 for the normal scheduler; overrides timing.motor_priority." };
        priority.Validators.Add(r => Check(r, r.GetValueOrDefault<int?>() is null or (>= 0 and <= 99), "--priority must be 0-99"));
        var cpu = new Option<int?>("--cpu") { Description = "CPU to pin the loop (and cyclictest) to, -1 for none; overrides timing.motor_cpu." };
        cpu.Validators.Add(r => Check(r, r.GetValueOrDefault<int?>() is null or (>= -1 and <= 1023), "--cpu must be -1-1023"));
        var spin = new Option<TimeSpan?>("--spin-margin")
        {
            Description = "How long before each deadline the loop spins, e.g. 100us, 0.2ms, 50000ns (agent.yaml's duration syntax); overrides timing.spin_margin.",
            CustomParser = Durations.OptionParser("--spin-margin", "100us", TimeSpan.Zero, TimeSpan.FromSeconds(1)),
        };

        var timing = new Command("timing", "Measures the loop wake-up error on this machine and compares it with cyclictest (rt-tests).");
        foreach (var option in new Option[] { seconds, json, config, rate, priority, cpu, spin })
        {
            timing.Options.Add(option);
        }

        timing.SetAction(parseResult =>
        {
            AgentOptions options;
            var configPath = parseResult.GetValue(config);
            if (configPath is null)
            {
                options = new AgentOptions();
            }
            else if (loadConfig is null)
            {
                Console.Error.WriteLine("diagnose timing: --config is not available in this build (no configuration loader is connected); use --rate-hz, --priority, --cpu and --spin-margin.");
                return AgentDefaults.ExitConfig;
            }
            else
            {
                try
                {
                    options = loadConfig(configPath);
                }
                catch (Exception ex)
                {
                    Console.Error.WriteLine($"diagnose timing: {configPath}: {ex.Message}");
                    return AgentDefaults.ExitConfig;
                }
            }

            var settings = LoopSettings.ForMotor(options.Timing, options.Motor);
            var rateHz = parseResult.GetValue(rate);
            settings = settings with
            {
                Period = rateHz is { } r ? LoopSettings.PeriodOf(r) : settings.Period,
                FifoPriority = parseResult.GetValue(priority) ?? settings.FifoPriority,
                Cpu = parseResult.GetValue(cpu) ?? settings.Cpu,
                SpinMargin = parseResult.GetValue(spin) ?? settings.SpinMargin,
            };
            return RunTiming(settings, TimeSpan.FromSeconds(parseResult.GetValue(seconds)), parseResult.GetValue(json), options.Timing.LimitCpuIdle);
        });
        return timing;
    }

    private static int RunTiming(LoopSettings settings, TimeSpan duration, bool json, bool limitCpuIdle)
    {
        // The same PM QoS request the agent's run makes (and cyclictest makes for itself).
        string? idleWarning = null;
        using CpuIdleLimit? idleLimit = limitCpuIdle ? CpuIdleLimit.TryHold(0, out idleWarning) : null;
        if (idleWarning is not null && !json)
        {
            Console.Error.WriteLine($"warning: {idleWarning}");
        }

        using var loggerFactory = LoggerFactory.Create(builder => builder
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter((_, level) => !json && level >= LogLevel.Warning));   // in JSON mode the warnings are in the document
        var diagnostics = new TimingDiagnostics(loggerFactory.CreateLogger("EdgeAgent.Diagnose"));
        var output = Console.Out;

        if (!json)
        {
            DiagnoseTimingOutput.WriteHeader(output, settings, duration);
        }

        var agent = diagnostics.RunAgent(settings, duration, json ? null : (s, interval, overruns) => DiagnoseTimingOutput.WriteSecond(output, s, interval, overruns));
        if (!json)
        {
            DiagnoseTimingOutput.WriteAgent(output, agent);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Running cyclictest for {duration.TotalSeconds:F0} s with the same period, priority and CPU..."));
        }

        var cyclictest = agent.Fault is null ? TimingDiagnostics.RunCyclictest(settings, duration) : null;
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            DiagnoseTimingOutput.WriteJson(stdout, agent, cyclictest, duration);
        }
        else
        {
            DiagnoseTimingOutput.WriteComparison(output, agent, cyclictest);
            DiagnoseTimingOutput.WriteExpectation(output, agent, new SafetyOptions().MaxControlGap.Ticks * TimeSpan.NanosecondsPerTick);
        }

        return agent.Fault is not null || cyclictest is { Path: not null, Error: not null } ? ExitFailure : 0;
    }

    private static void Check(OptionResult result, bool valid, string message)
    {
        if (!valid)
        {
            result.AddError(message);
        }
    }
}
