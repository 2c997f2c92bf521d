using System.CommandLine;
using EdgeAgent.Cli;

// ProcessTerminationTimeout = null: SIGTERM and SIGINT belong to the verbs (the host's lifetime for `run`,
// TerminationSignals for `receive` and `simulate`), so a stop that takes longer than two seconds still ends
// with its summary and exit 0 instead of System.CommandLine's forced 143/130.
// EnableDefaultExceptionHandler = false: an exception out of a verb is reported by FatalErrors as one line
// (exit 70), like one on any other thread, not as System.CommandLine's many-line trace.
FatalErrors.Install();
try
{
    return await AgentCli.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
catch (Exception ex)
{
    FatalErrors.Report(ex);
    return CliExit.Software;
}
