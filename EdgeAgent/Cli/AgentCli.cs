using System.CommandLine;
using EdgeAgent.Configuration;
using EdgeAgent.Protocol;

namespace EdgeAgent.Cli;

/// <summary>The <c>edge-agent</c> command line: one binary, one verb per job.</summary>
internal static class AgentCli
{
    /// <summary>Creates the root command with every verb.</summary>
    /// <returns>The root command (it answers <c>--version</c> and <c>--help</c>).</returns>
    public static RootCommand Create()
    {
        var root = new RootCommand("EdgeAgent: closes the robot's motor and balance loops and ships its telemetry upstream.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(CheckConfigCommand.Create());
        root.Subcommands.Add(DiagnoseCommand.Create(path => AgentConfigLoader.Load(path)));
        root.Subcommands.Add(ReceiveCommand.Create());
        root.Subcommands.Add(SpillCommand.Create(payload => BatchJson.ToJson(payload)));
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(FleetVerb.Create());
        return root;
    }

    /// <summary>
    /// The configuration file a verb uses when none is given: the robot's installed file when it exists,
    /// otherwise the default <c>agent.yaml</c> shipped next to the binary (the simulated robot).
    /// </summary>
    /// <returns>A path.</returns>
    public static string DefaultConfigPath() =>
        File.Exists(AgentDefaults.ConfigPath) ? AgentDefaults.ConfigPath : Path.Combine(AppContext.BaseDirectory, "agent.yaml");

    /// <summary>Loads and validates a configuration, printing every error to stderr.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The configuration when valid.</param>
    /// <param name="consequence">What the error means for the verb, after "the configuration is invalid (N errors); ".</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryLoad(string path, out AgentOptions options, string consequence = "nothing was started")
    {
        try
        {
            options = AgentConfigLoader.Load(path);
            return true;
        }
        catch (AgentConfigException ex)
        {
            Console.Error.WriteLine($"edge-agent: {path}: the configuration is invalid ({ex.Errors.Count} error{(ex.Errors.Count == 1 ? string.Empty : "s")}); {consequence}:");
            foreach (ConfigError error in ex.Errors)
            {
                Console.Error.WriteLine($"  {error}");
            }

            options = null!;
            return false;
        }
    }
}
