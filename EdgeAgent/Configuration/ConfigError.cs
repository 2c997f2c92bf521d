namespace EdgeAgent.Configuration;

/// <summary>
/// One problem found in the configuration, phrased so a technician can act on it: where it is, which key,
/// what is wrong and how to fix it.
/// </summary>
/// <param name="Source">
/// Where the value came from: <c>file:line:column</c> (for example <c>config/agent.yaml:23:7</c>), the file
/// alone when the key is not in it, or <c>environment variable NAME</c>.
/// </param>
/// <param name="KeyPath">The key, as a path of YAML keys (<c>motor.gains[2].kp</c>); <c>(root)</c> for the whole file.</param>
/// <param name="Problem">What is wrong, without a trailing period.</param>
/// <param name="Fix">What to change.</param>
public sealed record ConfigError(string Source, string KeyPath, string Problem, string Fix)
{
    /// <summary>The key path used for an error that concerns the whole file.</summary>
    public const string RootPath = "(root)";

    /// <summary>Gets the 1-based line in the file, or <see langword="null"/> when the error has no file position.</summary>
    public int? Line { get; init; }

    /// <summary>Gets the 1-based column in the file, or <see langword="null"/> when the error has no file position.</summary>
    public int? Column { get; init; }

    /// <summary>Formats the error as one line: <c>{Source}: {KeyPath}: {Problem}. Fix: {Fix}</c>.</summary>
    /// <returns>The one-line description.</returns>
    public override string ToString() => $"{Source}: {KeyPath}: {Problem}. Fix: {Fix}";
}
