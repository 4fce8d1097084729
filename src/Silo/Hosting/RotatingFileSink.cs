using System.Text;
using Assistant.Logs;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Assistant.Silo.Hosting;

/// <summary>Writes each event as a line of a <see cref="RotatingLog"/> (<c>system.log</c>, <c>telegram.log</c>).</summary>
public sealed class RotatingFileSink(RotatingLog log, ITextFormatter formatter) : ILogEventSink, IDisposable
{
    public void Emit(LogEvent logEvent)
    {
        var line = new StringWriter();
        formatter.Format(logEvent, line);
        try
        {
            log.Append(Encoding.UTF8.GetBytes(line.ToString()));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Serilog.Debugging.SelfLog.WriteLine("Could not write a log line: {0}", ex.Message);
        }
    }

    public void Dispose() => log.Dispose();
}
