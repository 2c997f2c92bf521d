namespace EdgeAgent.Configuration;

/// <summary>
/// The configuration could not be loaded: it lists every problem found, not only the first. The CLI prints
/// <see cref="Exception.Message"/> and exits with <see cref="AgentDefaults.ExitConfig"/>.
/// </summary>
public sealed class AgentConfigException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="AgentConfigException"/> class with the problems found.</summary>
    /// <param name="errors">The problems, in the order they were found; at least one.</param>
    public AgentConfigException(IReadOnlyList<ConfigError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Initializes a new instance of the <see cref="AgentConfigException"/> class with no listed problems.</summary>
    public AgentConfigException()
        : this("The configuration is invalid.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AgentConfigException"/> class with a message and no listed problems.</summary>
    /// <param name="message">The message.</param>
    public AgentConfigException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Initializes a new instance of the <see cref="AgentConfigException"/> class with a message, a cause and no listed problems.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Gets every problem found, in the order found (file syntax and keys, environment, then validation).</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return string.Join('\n', errors.Select(e => e.ToString()));
    }
}
