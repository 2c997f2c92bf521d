using EdgeAgent.Cli;

return await AgentCli.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
