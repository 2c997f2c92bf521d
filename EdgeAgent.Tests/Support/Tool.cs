using System.Diagnostics;

namespace EdgeAgent.Tests.Support;

/// <summary>Runs a command-line tool (dpkg, a repository script) and returns its stdout; a non-zero exit fails the test with both outputs.</summary>
internal static class Tool
{
    public static string Run(string file, params string[] args) => Run(TimeSpan.FromMinutes(15), file, args);

    public static string Run(TimeSpan timeout, string file, params string[] args) => Run(null, null, timeout, file, args);

    /// <summary>Runs the tool in a directory, with extra environment variables.</summary>
    public static string Run(string? workingDirectory, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? string.Empty };
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} did not finish in {timeout}");
        }

        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', args)}:\n{stdout}\n{stderr.Result}");
        return stdout;
    }
}
