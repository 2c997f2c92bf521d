using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAgent.Spill;

// Design: one agent per spill directory. Two agents on one directory delete each other's segments (each
// believes the other's batches are its acknowledged ones), so the spill takes an exclusive flock(2) on
// DIR/agent.lock for as long as it is open. flock, not a PID file: the kernel drops the lock when the holder
// exits, even on SIGKILL, so a crash never leaves a stale lock behind. The holder writes its PID into the
// file so the refused agent can name it. libc directly (open, flock, read, write): .NET's FileShare locking
// takes LOCK_SH on every open and would keep the second agent from even reading the PID.
/// <summary>An exclusive lock on a spill directory, held while the spill is open.</summary>
internal sealed partial class SpillDirectoryLock : IDisposable
{
    /// <summary>The lock file's name inside the spill directory (recovery leaves it alone).</summary>
    public const string FileName = "agent.lock";

    private const int ORdWr = 2;
    private const int OCreat = 0x40;
    private const int OCloExec = 0x80000;
    private const int LockEx = 2;
    private const int LockNb = 4;
    private const int EWouldBlock = 11;
    private const int Mode0600 = 0x180;

    private int _fd;

    private SpillDirectoryLock(int fd) => _fd = fd;

    /// <summary>Takes the lock, or throws naming the directory and the PID that holds it.</summary>
    /// <param name="directory">The spill directory (exists).</param>
    /// <returns>The held lock.</returns>
    /// <exception cref="IOException">Another process holds the lock, or the lock file cannot be opened.</exception>
    public static SpillDirectoryLock Acquire(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new SpillDirectoryLock(-1);
        }

        string path = Path.Combine(directory, FileName);
        int fd = Open(path, ORdWr | OCreat | OCloExec, Mode0600);
        if (fd < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw new IOException($"The spill directory '{directory}' cannot be locked: open({path}) failed with errno {error}. Fix: make the directory writable by the agent's user, or set spill.directory to a writable path.");
        }

        if (Flock(fd, LockEx | LockNb) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            string holder = ReadHolder(fd);
            _ = Close(fd);
            if (error == EWouldBlock)
            {
                throw new IOException(
                    $"The spill directory '{directory}' is in use by another edge-agent ({holder}); two agents on one spill would delete each other's batches. "
                    + $"Fix: stop the other agent ({(holder.StartsWith("pid ", StringComparison.Ordinal) ? "kill " + holder[4..] : "see lsof " + path)}, or systemctl stop edge-agent), or give this one its own spill.directory.");
            }

            throw new IOException($"The spill directory '{directory}' cannot be locked: flock failed with errno {error}. Fix: put the spill on a local file system that supports flock(2).");
        }

        // Ours: record the PID for the next agent that is refused.
        byte[] pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        if (Ftruncate(fd, 0) != 0 || Pwrite(fd, pid, pid.Length, 0) != pid.Length)
        {
            // The lock holds without the PID; only the message of a refused agent is poorer.
        }

        return new SpillDirectoryLock(fd);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Close(fd);   // closing the last descriptor releases the flock
        }
    }

    private static string ReadHolder(int fd)
    {
        byte[] buffer = new byte[32];
        long read = Pread(fd, buffer, buffer.Length, 0);
        string text = read > 0 ? Encoding.ASCII.GetString(buffer, 0, (int)read).Trim() : string.Empty;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? "pid " + pid.ToString(CultureInfo.InvariantCulture) : "pid unknown";
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint Pwrite(int fd, byte[] buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial nint Pread(int fd, byte[] buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
