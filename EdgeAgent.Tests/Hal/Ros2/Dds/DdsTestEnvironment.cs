using System.Diagnostics;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Hal.Ros2.Dds;

/// <summary>
/// Loopback-only DDS for every test in this namespace: CYCLONEDDS_URI → config/cyclonedds.xml (set in the native
/// environment, which Cyclone's getenv reads; Environment.SetEnvironmentVariable does not reach it on Unix) and a
/// domain id of this process's own.
/// </summary>
[SetUpFixture]
internal sealed class DdsTestEnvironment
{
    /// <summary>Gets the domain id of this test process: 1..200 from the process id.</summary>
    public static uint DomainId { get; } = (uint)(Environment.ProcessId % 200) + 1;

    public static string NativeSources => Path.Combine(RepoPaths.Root, "EdgeAgent.Tests", "Hal", "Ros2", "Dds", "native");

    [OneTimeSetUp]
    public void PointCycloneAtLoopback() => CycloneLoopback.Ensure();

    /// <summary>Finds a tool on PATH, or null.</summary>
    public static string? FindTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a process to completion within <paramref name="timeout"/>; kills only that process on timeout.</summary>
    public static (int ExitCode, string Output) Run(string file, string arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + file);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit(TimeSpan.FromSeconds(5));
            return (-1, $"{file} timed out after {timeout}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>
    /// Generates C types for native/ros2_types.idl with <c>idlc -t</c> and compiles <paramref name="program"/> with
    /// them into a temporary directory; ignores the test when gcc or idlc is missing. Returns the executable path.
    /// </summary>
    public static string BuildNative(string program, string directory)
    {
        var gcc = FindTool("gcc");
        var idlc = FindTool("idlc");
        if (gcc is null || idlc is null)
        {
            Assert.Ignore("gcc or idlc not on PATH (apt-get install gcc cyclonedds-tools cyclonedds-dev).");
        }

        foreach (var file in new[] { "ros2_types.idl", program + ".c" })
        {
            File.Copy(Path.Combine(NativeSources, file), Path.Combine(directory, file), overwrite: true);
        }

        var idl = Run(idlc!, "-t ros2_types.idl", directory, TimeSpan.FromSeconds(30));
        Assert.That(idl.ExitCode, Is.Zero, idl.Output);
        var sources = program == "dds_layout" ? "dds_layout.c" : $"{program}.c ros2_types.c";
        var cc = Run(gcc!, $"-Wall -I. {sources} -o {program} -lddsc", directory, TimeSpan.FromSeconds(60));
        Assert.That(cc.ExitCode, Is.Zero, cc.Output);
        return Path.Combine(directory, program);
    }

    public static string CreateTempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgeagent-dds-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
