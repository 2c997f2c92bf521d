using System.CommandLine;
using System.Globalization;
using EdgeAgent.Configuration;

namespace EdgeAgent.Cli;

/// <summary><c>edge-agent check-config FILE</c>: validates a configuration without starting anything.</summary>
internal static class CheckConfigCommand
{
    /// <summary>Creates the verb.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The configuration file to check.", DefaultValueFactory = _ => AgentCli.DefaultConfigPath() };
        var command = new Command("check-config", "Validate a configuration file (and the environment overrides) without starting; exit code 78 when invalid.") { file };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (!AgentCli.TryLoad(path, out AgentOptions options, "a running agent keeps its configuration (a reload of this file fails), a start refuses it"))
            {
                return AgentDefaults.ExitConfig;
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: OK: robot {options.Robot.Id}, {options.Robot.Joints.Count} joints, HAL {options.Hal.Driver.ToString().ToLowerInvariant()}, motor {options.Motor.RateHz} Hz, balance {(options.Balance.Enabled ? $"{options.Balance.RateHz} Hz" : "off")}"));
            return 0;
        });
        return command;
    }
}
