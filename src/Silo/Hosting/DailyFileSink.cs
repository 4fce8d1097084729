using System.Text;
using Assistant.Logs;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Assistant.Silo.Hosting;

/// <summary>
/// Writes <c>name.log</c> and rotates it by day (<see cref="DailyLog"/>), so the file the
/// operations guide names is always the current day's. Each event is appended with its own open
/// and close, which lets silos on one host share the file and follow a rotation made by another;
/// the background-task log it serves writes a few lines a minute.
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
                using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                file.Write(bytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Serilog.Debugging.SelfLog.WriteLine("Could not write {0}: {1}", _path, ex.Message);
            }
        }
    }
}
