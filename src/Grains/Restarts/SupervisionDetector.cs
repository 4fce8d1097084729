using System.Globalization;
using Microsoft.Extensions.Options;

namespace Assistant.Restarts;

/// <summary>
/// Whether something starts this process again after it exits with the restart code (75):
/// <c>Restart:Supervised</c> when set; otherwise <c>scripts/supervise.sh</c>, which says so in
/// <c>ASSISTANT_SUPERVISOR</c>; otherwise systemd, recognised as systemd itself recognises its
/// main process (<c>SYSTEMD_EXEC_PID</c> is this process, or the parent process is systemd),
/// or as a notify service (<c>INVOCATION_ID</c> and <c>NOTIFY_SOCKET</c> both set). Decided once,
/// when the silo starts: a process whose parent later exits is re-parented to systemd, which
/// does not make it supervised. <c>INVOCATION_ID</c> alone is not taken as proof: a child of a
/// supervised shell inherits it and is not itself supervised.
/// </summary>
public sealed class SupervisionDetector(IOptions<RestartOptions> options, ILocalSiloDetails silo)
{
    /// <summary>Set by scripts/supervise.sh for the silo it starts.</summary>
    public const string SupervisorVariable = "ASSISTANT_SUPERVISOR";

    private readonly string? _supervisor = Detect(options.Value.Supervised);

    public Supervision Current => new(silo.Name, _supervisor is not null, _supervisor);

    private static string? Detect(bool? configured)
    {
        if (configured is { } explicitly)
        {
            return explicitly ? "Restart:Supervised" : null;
        }

        if (Environment.GetEnvironmentVariable(SupervisorVariable) is { Length: > 0 } script)
        {
            return script;
        }

        return UnderSystemd() ? "systemd" : null;
    }

    private static bool UnderSystemd()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("SYSTEMD_EXEC_PID"), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid == Environment.ProcessId)
        {
            return true;
        }

        if (Environment.GetEnvironmentVariable("INVOCATION_ID") is { Length: > 0 } && Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 })
        {
            return true;
        }

        try
        {
            // /proc/self/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText("/proc/self/stat");
            var parent = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
            return File.ReadAllText($"/proc/{parent}/comm").TrimEnd('\n') == "systemd";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}
