using System.Diagnostics;

namespace EdgeAgent.Tests.Support;

/// <summary>
/// A small tmpfs the test mounts on a temporary directory of its own (a full disk on demand), unmounted and
/// removed on dispose. Where mounting is not permitted the test is ignored with the reason.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string root, string path)
    {
        Root = root;
        Path = path;
    }

    /// <summary>Gets the mount point.</summary>
    public string Path { get; }

    private string Root { get; }

    public static TmpfsMount Create(long bytes)
    {
        string root = Directory.CreateTempSubdirectory("edge-agent-tmpfs-").FullName;
        string path = System.IO.Path.Combine(root, "fs");
        Directory.CreateDirectory(path);
        (int code, string error) = Run("mount", "-t", "tmpfs", "-o", $"size={bytes},mode=0700", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(root, recursive: true);
            Assert.Ignore($"cannot mount a tmpfs here (mount exit {code}: {error.Trim()}); the full-disk tests need root or CAP_SYS_ADMIN");
        }

        return new TmpfsMount(root, path);
    }

    /// <summary>Fills the filesystem with a file of zeros until the disk is full, leaving <paramref name="leaveBytes"/>.</summary>
    public void Fill(string name, long leaveBytes = 0)
    {
        var free = new DriveInfo(Path).AvailableFreeSpace;
        using var filler = new FileStream(System.IO.Path.Combine(Path, name), FileMode.Create, FileAccess.Write);
        var chunk = new byte[4096];
        for (long written = 0; written + chunk.Length <= free - leaveBytes; written += chunk.Length)
        {
            try
            {
                filler.Write(chunk);
            }
            catch (IOException)
            {
                break;
            }
        }
    }

    public void Dispose()
    {
        _ = Run("umount", Path);
        Directory.Delete(Root, recursive: true);
    }

    private static (int Code, string Error) Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        return process.WaitForExit(30_000) ? (process.ExitCode, error) : (-1, "timed out");
    }
}
