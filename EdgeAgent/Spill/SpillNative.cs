using System.Runtime.InteropServices;

namespace EdgeAgent.Spill;

// Design: a rename or a new file is durable only once its directory is fsynced; .NET cannot open a
// directory as a file, so this opens it with libc (O_RDONLY | O_CLOEXEC; same values on x86_64 and aarch64).
internal static partial class SpillNative
{
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;

    /// <summary>Fsyncs a directory so that file creations, renames and deletions in it survive a power cut.</summary>
    /// <returns>0, or the errno of the failed call.</returns>
    public static int FsyncDirectory(string path)
    {
        int fd = Open(path, ORdOnly | OCloExec);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        int result = Fsync(fd) == 0 ? 0 : Marshal.GetLastPInvokeError();
        _ = Close(fd);
        return result;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
