using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Assistant.Logs;

/// <summary>
/// A size-rotated log as the operations guide has it (Python's rotating handler): <c>name.log</c> is
/// always the file being written; past the size limit its lines move to <c>name.log.1</c> and older
/// backups shift up to <c>name.log.N</c>, the oldest dropped. The live file is copied out and then
/// truncated in place, so it stays the same file: <c>tail -f</c> and every process's open handle go
/// on writing and reading it. Processes sharing the folder (silos on one host) take turns under an
/// advisory lock on <c>.name.lock</c>, which the log lifecycle also takes to move backups away.
/// </summary>
public sealed class RotatingLog : IDisposable
{
    private readonly object _gate = new();
    private readonly string _folder;
    private readonly string _name;
    private readonly string _path;
    private readonly long _limit;
    private readonly int _backups;
    private readonly SafeFileHandle _lock;
    private SafeFileHandle? _file;
    private long _noRollUntil;

    public RotatingLog(string folder, string name, long limitBytes, int backups)
    {
        (_folder, _name, _limit, _backups) = (folder, name, limitBytes, backups);
        _path = Path.Combine(folder, name + ".log");
        Directory.CreateDirectory(folder);
        _lock = OpenLockFile(folder, name);
    }

    /// <summary>Raised, under the lock, when a roll fails (a log cannot log about itself: the sink reports it elsewhere).</summary>
    public event Action<string>? RollFailed;

    /// <summary><c>name.log.N</c>.</summary>
    public static string Backup(string folder, string name, int n) => Path.Combine(folder, $"{name}.log.{n}");

    /// <summary>Holds the lock the writers of <c>name.log</c> on this host take, until disposed.</summary>
    public static IDisposable Hold(string folder, string name)
    {
        var handle = OpenLockFile(folder, name);
        HostLock.Take(handle);
        return handle; // closing the descriptor releases the lock
    }

    /// <summary>Appends one line, rolling first when it would take the file past the limit.</summary>
    public void Append(ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            HostLock.Take(_lock);
            try
            {
                var (file, size) = Live();
                if (size > 0 && size + line.Length > _limit && TryRoll(file))
                {
                    size = 0;
                }

                RandomAccess.Write(file, line, size);
            }
            finally
            {
                HostLock.Release(_lock);
            }
        }
    }

    /// <summary>
    /// The live file: the handle held, or a new one when the file at the path is another (deleted or
    /// moved away by hand, and made again by another writer). Every writer writes under the lock at
    /// the end of the one file, so the handle's length is the path's unless they are two files.
    /// </summary>
    private (SafeFileHandle File, long Length) Live()
    {
        var atPath = new FileInfo(_path);
        if (_file is not null && atPath.Exists && RandomAccess.GetLength(_file) is var length && length == atPath.Length)
        {
            return (_file, length);
        }

        _file?.Dispose();
        _file = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        return (_file, RandomAccess.GetLength(_file));
    }

    /// <summary>
    /// Rolls; false when it could not (a full disk, a backup in use): the line is written to the live
    /// file anyway, and no roll is tried for a minute, so a disk that stays full costs a copy a
    /// minute, not one a line. The copy is made first, so a failed roll shifts no backup.
    /// </summary>
    private bool TryRoll(SafeFileHandle live)
    {
        if (Environment.TickCount64 < _noRollUntil)
        {
            return false;
        }

        try
        {
            Roll(live);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _noRollUntil = Environment.TickCount64 + 60_000;
            RollFailed?.Invoke($"Could not roll {_path}: {ex.Message}; the live file grows past its limit until a roll succeeds");
            return false;
        }
    }

    private void Roll(SafeFileHandle live)
    {
        var copy = Backup(_folder, _name, 1) + ".partial";
        File.Copy(_path, copy, overwrite: true);
        for (var n = _backups - 1; n >= 1; n--)
        {
            var older = Backup(_folder, _name, n);
            if (File.Exists(older))
            {
                File.Move(older, Backup(_folder, _name, n + 1), overwrite: true);
            }
        }

        File.Move(copy, Backup(_folder, _name, 1), overwrite: true);
        RandomAccess.SetLength(live, 0);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _lock.Dispose();
        }
    }

    private static SafeFileHandle OpenLockFile(string folder, string name) => HostLock.Open(Path.Combine(folder, "." + name + ".lock"));

    /// <summary>
    /// flock(2) on a descriptor: held until released or the descriptor closes (a killed process
    /// releases it). The lock file is opened with open(2), not .NET's file APIs, which would take a
    /// shared flock of their own on it and throw when another process holds the exclusive one.
    /// Off Linux only this process's own writers take turns.
    /// </summary>
    private static class HostLock
    {
        private const int Exclusive = 2;
        private const int Unlock = 8;
        private const int Interrupted = 4;
        private const int ReadWriteCreateCloseOnExec = 2 | 0x40 | 0x80000; // O_RDWR | O_CREAT | O_CLOEXEC on Linux
        private static bool _unavailable = !OperatingSystem.IsLinux();

        public static SafeFileHandle Open(string path)
        {
            if (!_unavailable)
            {
                try
                {
                    var fd = open(path, ReadWriteCreateCloseOnExec, 420 /* 0644 */);
                    if (fd >= 0)
                    {
                        return new SafeFileHandle(fd, ownsHandle: true);
                    }

                    throw new IOException($"Could not open {path}: error {Marshal.GetLastPInvokeError()}");
                }
                catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
                {
                    _unavailable = true;
                }
            }

            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }

        public static void Take(SafeFileHandle handle)
        {
            while (!_unavailable && Call(handle, Exclusive) != 0 && Marshal.GetLastPInvokeError() == Interrupted)
            {
            }
        }

        public static void Release(SafeFileHandle handle) => Call(handle, Unlock);

        private static int Call(SafeFileHandle handle, int operation)
        {
            if (_unavailable)
            {
                return 0;
            }

            try
            {
                return flock((int)handle.DangerousGetHandle(), operation);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                _unavailable = true;
                return 0;
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int flock(int fd, int operation);

        [DllImport("libc", SetLastError = true)]
        private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
    }
}
