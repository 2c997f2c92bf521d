using System.CommandLine;
using System.Globalization;
using EdgeAgent.Configuration;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal;
using EdgeAgent.Ros2Sim;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent simulate --ros2</c>: the physics-simulated robot as a ROS 2 robot on DDS (joint states, IMU,
/// battery; effort commands), until SIGTERM, Ctrl-C or <c>--duration</c>. One status line per second.
/// </summary>
internal static class SimulateCommand
{
    private const int ExitUsage = 2;
    private const int ExitFailed = 1;

    /// <summary>Creates the verb.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var ros2 = new Option<bool>("--ros2") { Description = "Run the simulated robot as a ROS 2 robot over DDS (the only mode)." };
        var config = new Option<string>("--config", "-c") { Description = "The configuration file (hal.ros2 topics and domain, hal.sim, robot.joints).", DefaultValueFactory = _ => AgentCli.DefaultConfigPath() };
        var duration = new Option<string?>("--duration", "-d") { Description = "Run this long (e.g. 30s). Default: until SIGTERM or Ctrl-C." };
        var rate = new Option<double>("--rate-hz") { Description = "Joint state and IMU rate (Hz); battery at 10 Hz.", DefaultValueFactory = _ => 500.0 };
        var command = new Command("simulate", "Run the physics-simulated robot as a ROS 2 robot: publishes joint states, IMU and battery, obeys effort commands.")
        {
            ros2, config, duration, rate,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(ros2))
            {
                await Console.Error.WriteLineAsync("edge-agent simulate: only ROS 2 mode exists; run 'edge-agent simulate --ros2'.");
                return ExitUsage;
            }

            TimeSpan? runFor = null;
            if (parse.GetValue(duration) is { } text)
            {
                // The same duration syntax as agent.yaml (30s, 1.5m, 500ms).
                if (!Durations.TryParse(text, "30s", out TimeSpan parsed, out string durationError) || parsed <= TimeSpan.Zero)
                {
                    await Console.Error.WriteLineAsync($"edge-agent simulate: --duration '{text}': {(durationError.Length > 0 ? durationError : "must be positive. Fix: write e.g. 30s")}.");
                    return ExitUsage;
                }

                runFor = parsed;
            }

            double rateHz = parse.GetValue(rate);
            if (!double.IsFinite(rateHz) || rateHz < 1 || rateHz > 10_000)
            {
                await Console.Error.WriteLineAsync($"edge-agent simulate: --rate-hz {rateHz.ToString(CultureInfo.InvariantCulture)} is out of range. Fix: 1..10000.");
                return ExitUsage;
            }

            string path = parse.GetValue(config)!;
            if (!AgentCli.TryLoad(path, out AgentOptions options))
            {
                return AgentDefaults.ExitConfig;
            }

            if (!DdsLibrary.TryLoad(out string? error))
            {
                await Console.Error.WriteLineAsync($"edge-agent simulate: {error}");
                return ExitFailed;
            }

            return await RunAsync(options, rateHz, runFor, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(AgentOptions options, double rateHz, TimeSpan? runFor, CancellationToken cancellationToken)
    {
        Ros2SimulatedRobotNode node;
        try
        {
            uint domain = Ros2HalOptions.ResolveDomainId(options.Hal.Ros2.DomainId, Environment.GetEnvironmentVariable("ROS_DOMAIN_ID"));
            node = new Ros2SimulatedRobotNode(options, domain, rateHz);
        }
        catch (Exception ex) when (ex is DdsException or ArgumentException or DllNotFoundException or EntryPointNotFoundException)
        {
            await Console.Error.WriteLineAsync($"edge-agent simulate: could not start: {ex.Message}");
            return ExitFailed;
        }

        using (node)
        {
            // SIGTERM (systemd, kill) and SIGINT (Ctrl-C) end the run cleanly: stop the thread, delete the DDS entities, exit 0.
            using var stop = new TerminationSignals(cancellationToken);
            if (runFor is { } limit)
            {
                stop.CancelAfter(limit);
            }

            Ros2Options ros2 = options.Hal.Ros2;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"edge-agent simulate: ROS 2 robot on domain {node.DomainId}, {node.JointNames.Count} joints at {rateHz} Hz: publishing {ros2.JointStatesTopic}, {ros2.ImuTopic}, {ros2.BatteryTopic}; efforts from {ros2.CommandTopic}; Ctrl-C to stop"));
            node.Start();
            if (node.ReceivePriorityWarning is { } rxWarning)
            {
                await Console.Error.WriteLineAsync("edge-agent simulate: " + rxWarning).ConfigureAwait(false);
            }

            long lastPublished = 0;
            long lastTicks = Environment.TickCount64;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                {
                    long published = node.Published;
                    long ticks = Environment.TickCount64;
                    double hz = (published - lastPublished) * 1000.0 / Math.Max(1, ticks - lastTicks);
                    (lastPublished, lastTicks) = (published, ticks);
                    PrintStatus(node, hz);
                }
            }
            catch (OperationCanceledException)
            {
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"edge-agent simulate: stopped; published {node.Published}, commands accepted {node.CommandsAccepted}, rejected {node.CommandsRejected}, overruns {node.Overruns}"));
        }

        return 0;
    }

    private static void PrintStatus(Ros2SimulatedRobotNode node, double hz) =>
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"status: published {hz:F0} Hz ({node.Published} total), commands {node.CommandsAccepted} accepted / {node.CommandsRejected} rejected, tilt {node.TiltRad * 180 / Math.PI:F2} deg, fallen {(node.HasFallen ? "yes" : "no")}"));
}
