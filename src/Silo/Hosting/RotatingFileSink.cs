using System.Text;
using Assistant.Logs;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Assistant.Silo.Hosting;

/// <summary>Writes each event as a line of a <see cref="RotatingLog"/> (<c>system.log</c>, <c>telegram.log</c>); a roll that fails is told to Serilog's SelfLog.</summary>
public sealed class RotatingFileSink : ILogEventSink, IDisposable
{
    private readonly RotatingLog _log;
    private readonly ITextFormatter _formatter;

    public RotatingFileSink(RotatingLog log, ITextFormatter formatter)
    {
        (_log, _formatter) = (log, formatter);
        _log.RollFailed += problem => Serilog.Debugging.SelfLog.WriteLine("{0}", problem);
    }

    public void Emit(LogEvent logEvent)
    {
        var line = new StringWriter();
        _formatter.Format(logEvent, line);
        try
        {
            _log.Append(Encoding.UTF8.GetBytes(line.ToString()));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Serilog.Debugging.SelfLog.WriteLine("Could not write a log line: {0}", ex.Message);
        }
    }

    public void Dispose() => _log.Dispose();
}
