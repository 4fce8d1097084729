using System.Text;
using Assistant.Logs;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Assistant.Silo.Hosting;

/// <summary>
/// Writes <c>name.log</c> and rotates it by day (<see cref="DailyLog"/>), so the file the
/// operations guide names is always the current day's. Each event is appended with its own open
/// and close under a lock file the processes share, which lets silos on one host write the file
/// in turn and follow a rotation made by another; the background-task log it serves writes a few
/// lines a minute.
/// </summary>
public sealed class DailyFileSink(string folder, string name, ITextFormatter formatter) : ILogEventSink
{
    private readonly object _gate = new();
    private readonly string _path = Path.Combine(folder, name + ".log");

    public void Emit(LogEvent logEvent)
    {
        var line = new StringWriter();
        formatter.Format(logEvent, line);
        var bytes = Encoding.UTF8.GetBytes(line.ToString());
        lock (_gate)
        {
            try
            {
                Directory.CreateDirectory(folder);
                DailyLog.RotateIfOld(folder, name, DateOnly.FromDateTime(logEvent.Timestamp.LocalDateTime));
                using var writing = ExclusiveWrite(); // .NET's Append is no O_APPEND: processes must take turns
                using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                file.Seek(0, SeekOrigin.End);
                file.Write(bytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Serilog.Debugging.SelfLog.WriteLine("Could not write {0}: {1}", _path, ex.Message);
            }
        }
    }

    /// <summary>An exclusive lock on <c>.name.write</c> shared by the processes writing this log, waited for up to a second; null (write anyway) after that.</summary>
    private FileStream? ExclusiveWrite()
    {
        var path = Path.Combine(folder, "." + name + ".write");
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                Thread.Sleep(5);
            }
        }

        return null;
    }
}
