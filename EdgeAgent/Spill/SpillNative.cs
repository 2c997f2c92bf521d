using System.Runtime.InteropServices;

namespace EdgeAgent.Spill;

/// <summary>What kind of directory entry a path is (see <see cref="SpillNative.TypeOf"/>).</summary>
internal enum SpillFileType
{
    /// <summary>No entry (or it could not be examined).</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (not followed).</summary>
    SymbolicLink,

    /// <summary>A FIFO, socket or device.</summary>
    Special,
}

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

    /// <summary>
    /// The type of the directory entry at <paramref name="path"/>, without following a symbolic link (lstat):
    /// recovery touches only regular files, so a FIFO, socket, device, directory or link named like a spill file
    /// is never opened (opening a FIFO blocks until a writer appears).
    /// </summary>
    /// <returns>The type; <see cref="SpillFileType.Missing"/> when there is no entry or it cannot be examined.</returns>
    public static unsafe SpillFileType TypeOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path) ? SpillFileType.Regular : System.IO.Directory.Exists(path) ? SpillFileType.Directory : SpillFileType.Missing;
        }

        // struct stat: st_mode is a u32 at offset 24 on x86_64 (dev, ino, nlink are 8 bytes each) and at offset 16
        // on the generic layout of aarch64 and others (dev, ino 8 bytes; mode before a 4-byte nlink).
        byte* buffer = stackalloc byte[256];
        if (LStat(path, buffer) != 0)
        {
            return SpillFileType.Missing;
        }

        int modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        uint mode = *(uint*)(buffer + modeOffset);
        return (mode & 0xF000) switch
        {
            0x8000 => SpillFileType.Regular,
            0x4000 => SpillFileType.Directory,
            0xA000 => SpillFileType.SymbolicLink,
            _ => SpillFileType.Special,
        };
    }

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int LStat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
