using EdgeAgent.Configuration;

namespace EdgeAgent.Cli;

/// <summary>
/// The exit codes every verb uses (README, "Exit codes"): scripts and the systemd unit depend on them, so they
/// live in one place. 78 is <c>EX_CONFIG</c> from sysexits(3), the code the unit does not restart on; 66 is
/// <c>EX_NOINPUT</c>, used only by the verbs that read a file or directory the operator names.
/// </summary>
internal static class CliExit
{
    /// <summary>A clean stop.</summary>
    public const int Clean = 0;

    /// <summary>A failure: a start-up error or a loop thread fault.</summary>
    public const int Failure = 1;

    /// <summary>A bad command line (an option that does not parse, a listen address that is not allowed).</summary>
    public const int Usage = 2;

    /// <summary>The input the operator named does not exist or cannot be read (<c>spill inspect DIR</c>).</summary>
    public const int NoInput = 66;

    /// <summary>An unhandled error, a bug (<c>EX_SOFTWARE</c>): one line at error priority (<see cref="FatalErrors"/>).</summary>
    public const int Software = 70;

    /// <summary>An invalid configuration file or environment override.</summary>
    public const int Config = AgentDefaults.ExitConfig;
}
