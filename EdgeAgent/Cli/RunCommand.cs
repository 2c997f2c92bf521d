using System.CommandLine;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Hosting;
using EdgeAgent.Uplink;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Cli;

/// <summary><c>edge-agent run</c>: the agent's main job.</summary>
internal static class RunCommand
{
    /// <summary>Creates the verb.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "The configuration file (default: /etc/edge-agent/agent.yaml if present, else the agent.yaml next to the binary).", DefaultValueFactory = _ => AgentCli.DefaultConfigPath() };
        var duration = new Option<string?>("--duration", "-d") { Description = "Run this long, then stop safely (e.g. 30s, 2m). Default: until SIGTERM or Ctrl-C." };
        var summary = new Option<string?>("--summary") { Description = "Write a JSON summary of the run (loop rates, jitter, overruns, safety) to this file at exit." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No status line." };
        var watch = new Option<bool>("--watch-config") { Description = "Reload the configuration whenever the file changes (development). Default: only on SIGHUP (systemctl reload)." };
        var command = new Command("run", "Run the control loops against the configured HAL (the simulated robot by default).") { config, duration, summary, quiet, watch };
        command.SetAction(async (parse, cancellationToken) =>
        {
            TimeSpan? runFor = null;
            if (parse.GetValue(duration) is { } text)
            {
                // The same duration syntax as agent.yaml (30s, 1.5m, 500ms).
                if (!Durations.TryParse(text, "30s", out TimeSpan parsed, out string error) || parsed <= TimeSpan.Zero)
                {
                    Console.Error.WriteLine($"edge-agent: --duration '{text}': {(error.Length > 0 ? error : "must be positive. Fix: write e.g. 30s")}.");
                    return 2;
                }

                runFor = parsed;
            }

            string path = parse.GetValue(config)!;
            if (!AgentCli.TryLoad(path, out AgentOptions options))
            {
                return AgentDefaults.ExitConfig;
            }

            var settings = new RunSettings(path, runFor, parse.GetValue(summary), parse.GetValue(quiet) ? TimeSpan.Zero : TimeSpan.FromSeconds(1), parse.GetValue(watch));
            return await RunAsync(options, settings, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(AgentOptions options, RunSettings settings, CancellationToken cancellationToken)
    {
        using IHost host = AgentHost.Build(options, settings);
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeAgent");
        HostingLog.Starting(
            logger, typeof(RunCommand).Assembly.GetName().Version?.ToString(3) ?? "?", options.Robot.Id,
            options.Hal.Driver.ToString().ToLowerInvariant(), options.Robot.Joints.Count, options.Motor.RateHz,
            options.Balance.Enabled ? $"{options.Balance.RateHz} Hz" : "off", settings.ConfigPath);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or IOException or ArgumentException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            Console.Error.WriteLine($"edge-agent: could not start: {ex.Message}");
            return ex is Microsoft.Extensions.Options.OptionsValidationException ? AgentDefaults.ExitConfig : 1;
        }

        await host.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        var loops = host.Services.GetRequiredService<ControlLoopsService>();
        if (settings.SummaryPath is { } summaryPath)
        {
            RunSummary.Write(summaryPath, options, host.Services.GetRequiredService<ControlParts>(), loops, host.Services.GetRequiredService<TelemetryUplink>(), host.Services.GetRequiredService<ConfigReloader>(), loops.LoopsWallTime);
            HostingLog.SummaryWritten(logger, summaryPath);
        }

        return loops.Faulted ? 1 : Environment.ExitCode;
    }
}
