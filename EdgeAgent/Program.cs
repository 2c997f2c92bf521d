using System.CommandLine;
using EdgeAgent.Cli;

// ProcessTerminationTimeout = null: SIGTERM and SIGINT belong to the verbs (the host's lifetime for `run`,
// TerminationSignals for `receive` and `simulate`), so a stop that takes longer than two seconds still ends
// with its summary and exit 0 instead of System.CommandLine's forced 143/130.
return await AgentCli.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
