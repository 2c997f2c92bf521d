using System.Reflection;
using System.Runtime.InteropServices;

namespace EdgeAgent.Hal.Ros2.Dds;

/// <summary>
/// Resolves the Cyclone DDS C library (<c>ddsc</c> in the <c>LibraryImport</c>s of <see cref="DdsNative"/>):
/// Debian, the dev package and ROS installs name it differently.
/// </summary>
internal static class DdsLibrary
{
    /// <summary>The library name the P/Invoke declarations use.</summary>
    public const string Name = "ddsc";

    /// <summary>Environment variable holding an explicit path to libddsc, tried first.</summary>
    public const string PathVariable = "EDGEAGENT_LIBDDSC";

    private const string Fix =
        "Install Cyclone DDS 0.10.x (apt-get install libddsc0debian), or source /opt/ros/<distro>/setup.bash, " +
        "or set " + PathVariable + " to the full path of libddsc.so.";

    private static readonly Lock Gate = new();
    private static bool _registered;
    private static IntPtr _handle;
    private static string? _error;

    /// <summary>Registers the resolver for this assembly; idempotent.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            NativeLibrary.SetDllImportResolver(typeof(DdsLibrary).Assembly, Resolve);
            _registered = true;
        }
    }

    /// <summary>Loads libddsc now; <paramref name="error"/> names every path tried and the fix.</summary>
    public static bool TryLoad(out string? error)
    {
        EnsureRegistered();
        lock (Gate)
        {
            if (_handle == IntPtr.Zero && _error is null)
            {
                _handle = LoadFirst(CandidatePaths(
                    Environment.GetEnvironmentVariable(PathVariable),
                    Environment.GetEnvironmentVariable("ROS_DISTRO")), out _error);
            }

            error = _error;
            return _handle != IntPtr.Zero;
        }
    }

    /// <summary>The paths tried, in order.</summary>
    public static IReadOnlyList<string> CandidatePaths(string? explicitPath, string? rosDistro)
    {
        var paths = new List<string>(5);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            paths.Add(explicitPath);
        }

        paths.Add("libddsc.so.0debian");
        paths.Add("libddsc.so");
        if (!string.IsNullOrWhiteSpace(rosDistro))
        {
            paths.Add($"/opt/ros/{rosDistro}/lib/libddsc.so.0");
        }

        paths.Add("libddsc.so.0");
        return paths;
    }

    /// <summary>Tries each path; on failure returns zero and a message naming each path, its error and the fix.</summary>
    public static IntPtr LoadFirst(IReadOnlyList<string> paths, out string? error)
    {
        var failures = new List<string>(paths.Count);
        foreach (var path in paths)
        {
            try
            {
                error = null;
                return NativeLibrary.Load(path);
            }
            catch (DllNotFoundException ex)
            {
                failures.Add($"  {path}: {ex.Message}");
            }
            catch (BadImageFormatException ex)
            {
                failures.Add($"  {path}: {ex.Message}");
            }
        }

        error = BuildError(failures);
        return IntPtr.Zero;
    }

    private static string BuildError(List<string> failures) =>
        "Cyclone DDS (libddsc) could not be loaded. Tried:" + Environment.NewLine +
        string.Join(Environment.NewLine, failures) + Environment.NewLine + Fix;

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Name)
        {
            return IntPtr.Zero;
        }

        if (!TryLoad(out var error))
        {
            throw new DllNotFoundException(error);
        }

        return _handle;
    }
}
