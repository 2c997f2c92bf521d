using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using EdgeAgent.Ingest;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent fleet simulate --robots N</c>: N simulated robots, each a real <c>edge-agent run</c> process (the
/// physics-simulated robot, its loops, its uplink and spill) with its own <c>ROBOT_ID</c> (sim-001, sim-002, …), all
/// streaming to one receiver: the one named by <c>--receiver</c>, or one started in this process (with
/// <c>--store postgresql://…</c> behind it, the fleet rules and, with <c>--fleet-key</c>, their commands). This is
/// the Kubernetes example of deploy/k8s on one machine: one robot per process, <c>ROBOT_ID</c> and
/// <c>CLOUD_ENDPOINT</c> from the environment.
/// </summary>
internal static partial class FleetSimulation
{
    private const int SigTerm = 15;

    /// <summary>What to simulate.</summary>
    /// <param name="Robots">How many robots.</param>
    /// <param name="Directory">Where each robot's spill and log go (robots/sim-001/…).</param>
    /// <param name="Config">The robots' configuration file.</param>
    /// <param name="Receiver">An existing receiver (null: start one here).</param>
    /// <param name="Store">The store of the receiver started here (null: memory).</param>
    /// <param name="FleetKeyDirectory">A directory with fleet.key and fleet.pub: the robots trust fleet.pub, the receiver's rules sign with fleet.key (null: no command link).</param>
    /// <param name="Duration">How long (null: until SIGTERM or Ctrl-C).</param>
    /// <param name="Prefix">The robot id prefix.</param>
    internal sealed record Plan(int Robots, string Directory, string Config, Uri? Receiver, string? Store, string? FleetKeyDirectory, TimeSpan? Duration, string Prefix = "sim-");

    /// <summary>Runs the simulation until its duration ends or it is stopped; then stops every robot with SIGTERM and prints a summary.</summary>
    /// <param name="plan">What to simulate.</param>
    /// <param name="output">Where the progress and the summary go.</param>
    /// <param name="cancellationToken">Stops the simulation (SIGTERM, Ctrl-C).</param>
    /// <returns>The exit code: 0 when every robot ran and stopped cleanly and (with a receiver here) every robot's batches arrived without a gap.</returns>
    public static async Task<int> RunAsync(Plan plan, TextWriter output, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(plan.Directory);
        ReferenceReceiver? receiver = null;
        if (plan.Receiver is null)
        {
            receiver = await ReferenceReceiver.StartAsync(
                new ReceiverOptions
                {
                    Listen = new IPEndPoint(IPAddress.Loopback, 0),
                    StoreUrl = plan.Store,
                    Name = "fleet-simulate",
                    Rules = new FleetRulesOptions(),
                    FleetKeyPath = plan.FleetKeyDirectory is null ? null : Path.Combine(plan.FleetKeyDirectory, "fleet.key"),
                },
                cancellationToken).ConfigureAwait(false);
        }

        Uri endpoint = plan.Receiver ?? receiver!.Address;
        var robots = new List<(string Id, Process Process, string Log)>();
        int exit = CliExit.Clean;
        try
        {
            await output.WriteLineAsync($"edge-agent fleet simulate: {plan.Robots} robot(s) {plan.Prefix}001..{plan.Prefix}{plan.Robots:000} → {endpoint} (store {receiver?.Store ?? "of that receiver"}); logs and spills under {plan.Directory}").ConfigureAwait(false);
            for (int i = 1; i <= plan.Robots; i++)
            {
                string id = string.Create(CultureInfo.InvariantCulture, $"{plan.Prefix}{i:000}");
                robots.Add(Start(plan, id, endpoint));
            }

            var clock = Stopwatch.StartNew();
            try
            {
                while (plan.Duration is not { } d || clock.Elapsed < d)
                {
                    TimeSpan wait = plan.Duration is { } limit ? Min(TimeSpan.FromSeconds(5), limit - clock.Elapsed) : TimeSpan.FromSeconds(5);
                    await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                    int alive = robots.Count(r => !r.Process.HasExited);
                    string fleet = receiver is null ? string.Empty : Totals(receiver);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,5:0}s] {alive} of {robots.Count} robots running{fleet}")).ConfigureAwait(false);
                    if (alive == 0)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
        finally
        {
            foreach ((string _, Process process, string _) in robots)
            {
                if (!process.HasExited)
                {
                    _ = Kill(process.Id, SigTerm);
                }
            }

            foreach ((string id, Process process, string log) in robots)
            {
                if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
                {
                    process.Kill();   // this PID only
                    await output.WriteLineAsync($"{id}: did not stop within 60 s of SIGTERM; killed (log {log})").ConfigureAwait(false);
                    exit = CliExit.Failure;
                }
                else if (process.ExitCode != 0)
                {
                    await output.WriteLineAsync($"{id}: exited {process.ExitCode} (log {log})").ConfigureAwait(false);
                    exit = CliExit.Failure;
                }

                process.Dispose();
            }

            if (receiver is not null)
            {
                await receiver.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (receiver is not null)
        {
            await using (receiver.ConfigureAwait(false))
            {
                foreach ((string id, Process _, string _) in robots)
                {
                    RobotStatistics r = receiver.Statistics.ForRobot(id);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"summary {id}: batches {r.Batches}, samples {r.Samples}, gaps {r.Gaps}, duplicates {r.Duplicates}, boots {r.Boots}")).ConfigureAwait(false);
                    if (r.Batches == 0 || r.Gaps > 0)
                    {
                        exit = CliExit.Failure;
                    }
                }

                await output.WriteLineAsync("summary" + Totals(receiver)[1..]).ConfigureAwait(false);
            }
        }

        return exit;
    }

    private static (string Id, Process Process, string Log) Start(Plan plan, string id, Uri endpoint)
    {
        string dir = Path.Combine(plan.Directory, "robots", id);
        System.IO.Directory.CreateDirectory(dir);
        string log = Path.Combine(dir, "agent.log");
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        var info = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edge-agent.dll"));
        }

        foreach (string arg in new[] { "run", "--config", plan.Config, "--quiet" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["ROBOT_ID"] = id;
        info.Environment["CLOUD_ENDPOINT"] = endpoint.ToString();
        info.Environment["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(dir, "spill");
        info.Environment["EDGEAGENT__OBSERVABILITY__LISTEN"] = "127.0.0.1:0";   // N agents on one machine: each its own port
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("WATCHDOG_USEC");
        info.Environment.Remove("WATCHDOG_PID");
        if (plan.FleetKeyDirectory is not null)
        {
            info.Environment["EDGEAGENT__COMMANDS__PUBLIC_KEY_FILE"] = Path.Combine(plan.FleetKeyDirectory, "fleet.pub");
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start robot {id}");
        var writer = new StreamWriter(log) { AutoFlush = true };
        var gate = new Lock();
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                writer.WriteLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            process.WaitForExit();   // the output is drained
            lock (gate)
            {
                writer.Dispose();
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (id, process, log);
    }

    private static string Totals(ReferenceReceiver receiver)
    {
        IReadOnlyList<RobotStatistics> all = receiver.Statistics.Snapshot();
        IReadOnlyList<FleetRobot> fleet = receiver.Rules?.Snapshot() ?? [];
        return string.Create(
            CultureInfo.InvariantCulture,
            $"; receiver: {all.Count} robots, {all.Sum(r => r.Batches)} batches, {all.Sum(r => r.Samples)} samples, {all.Sum(r => r.Gaps)} gaps, {all.Sum(r => r.Duplicates)} duplicates; {fleet.Count(r => r.Safety == Control.Safety.SafetyState.SafeStop)} stopped, {fleet.Count(r => r.Alerts.Count > 0)} with alerts");
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
