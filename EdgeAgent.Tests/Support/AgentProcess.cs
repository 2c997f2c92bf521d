using System.Diagnostics;
using System.Text;

namespace EdgeAgent.Tests.Support;

/// <summary>Runs the real edge-agent binary as a child process; ends only the process it started.</summary>
internal sealed partial class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly string? _ownSpill;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private AgentProcess(Process process, string? ownSpill)
    {
        _process = process;
        _ownSpill = ownSpill;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static AgentProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    public static AgentProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string agent = Path.Combine(AppContext.BaseDirectory, "edge-agent.dll");

        // A shell without job control starts background commands with SIGINT ignored (POSIX), nohup ignores
        // SIGHUP, the ignored disposition survives exec, and .NET then leaves those signals alone. CI may run
        // the suite that way, so the child gets SIGINT and SIGHUP at their defaults, as under systemd or from a
        // terminal: perl (Debian's essential perl-base) resets them and execs the agent.
        bool viaPerl = File.Exists(Perl);
        var info = new ProcessStartInfo(viaPerl ? Perl : DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach ((string key, string value) in environment)
        {
            info.Environment[key] = value;
        }

        // Never the default observability port (an agent of the machine, or another test's, may hold it), and
        // never the notify socket of whatever started the suite: a test that wants them says so.
        if (!environment.ContainsKey("EDGEAGENT__OBSERVABILITY__LISTEN"))
        {
            info.Environment["EDGEAGENT__OBSERVABILITY__LISTEN"] = "127.0.0.1:0";
        }

        foreach (string inherited in new[] { "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID" })
        {
            if (!environment.ContainsKey(inherited))
            {
                info.Environment.Remove(inherited);
            }
        }

        // Never the real spill (/var/lib/edge-agent/spill, ~/.local/state): a test that names none gets its own.
        string? ownSpill = null;
        if (!environment.Keys.Any(k => string.Equals(k, "EDGEAGENT__SPILL__DIRECTORY", StringComparison.OrdinalIgnoreCase)))
        {
            ownSpill = Directory.CreateTempSubdirectory("edge-agent-proc-spill-").FullName;
            info.Environment["EDGEAGENT__SPILL__DIRECTORY"] = ownSpill;
        }

        if (viaPerl)
        {
            info.ArgumentList.Add("-e");
            info.ArgumentList.Add("$SIG{INT} = $SIG{HUP} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec $ARGV[0]: $!\\n\";");
            info.ArgumentList.Add(DotnetHost());
        }

        info.ArgumentList.Add(agent);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new AgentProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start edge-agent"), ownSpill);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the process to exit; kills it (this PID only) if it outlives the timeout.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
            throw new TimeoutException($"edge-agent (pid {Pid}) did not exit within {timeout}; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public bool WaitForOutput(string fragment, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && !_process.HasExited)
        {
            if (Stdout.Contains(fragment, StringComparison.Ordinal))
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return Stdout.Contains(fragment, StringComparison.Ordinal);
    }

    /// <summary>Waits for the agent's observability endpoint and returns its base address (http://127.0.0.1:PORT/).</summary>
    public Uri WaitForObservability(TimeSpan timeout)
    {
        const string marker = "Observability endpoint on ";
        if (!WaitForOutput(marker, timeout))
        {
            throw new TimeoutException($"edge-agent (pid {Pid}) did not open its observability endpoint within {timeout}; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        string text = Stdout;
        int start = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        int end = text.IndexOf(':', text.IndexOf("//", start, StringComparison.Ordinal) + 2);
        end = text.IndexOf('/', end);
        return new Uri(text[start..(end + 1)]);
    }

    public void Signal(int signal)
    {
        if (Native.Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
        }

        _process.Dispose();
        if (_ownSpill is not null && Directory.Exists(_ownSpill))
        {
            Directory.Delete(_ownSpill, recursive: true);
        }
    }

    private const string Perl = "/usr/bin/perl";

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }
    }

    private static partial class Native
    {
        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
        public static partial int Kill(int pid, int signal);
    }
}
