namespace EdgeAgent.Tests.Support;

/// <summary>Finds files of the repository from the test assembly's folder.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeAgent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("EdgeAgent.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>Gets the repository root.</summary>
    public static string Root => RootPath.Value;

    /// <summary>Gets the shipped default configuration.</summary>
    public static string DefaultConfig => Path.Combine(Root, "config", "agent.yaml");
}
