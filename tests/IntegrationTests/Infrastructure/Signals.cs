using System.Runtime.InteropServices;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>POSIX signals, for stopping processes the way an operator or a crash does.</summary>
public static partial class Signals
{
    public const int Term = 15;
    public const int Kill = 9;
    public const int Stop = 19;
    public const int Continue = 18;

    public static void Send(int pid, int signal)
    {
        if (SendNative(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendNative(int pid, int signal);
}
