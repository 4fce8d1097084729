using BenchmarkDotNet.Attributes;
using Assistant.Logs;
using Serilog;

namespace Assistant.Benchmarks;

/// <summary>
/// One log line of about 180 bytes to <c>system.log</c>: through <see cref="RotatingLog"/> (the live
/// file, shared by the silos of a host under flock), and through Serilog's own shared file sink,
/// which wrote it before (2026-12-07). A message writes a few lines.
/// </summary>
[MemoryDiagnoser]
public class LogLine
{
    private const string Text = "2026-12-07 05:00:00.000 +00:00 - Assistant.Sessions.ChatSessionGrain - INFO - Session tg:1001: telegram text message answered (ok). Response time: 4";
    private static readonly byte[] Bytes = System.Text.Encoding.UTF8.GetBytes(Text + "\n");
    private string _folder = null!;
    private RotatingLog _rotating = null!;
    private Serilog.Core.Logger _serilog = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("loglines").FullName;
        _rotating = new RotatingLog(_folder, "system", 10 * 1024 * 1024, backups: 3);
        _serilog = new LoggerConfiguration()
            .WriteTo.File(Path.Combine(_folder, "serilog.log"), outputTemplate: "{Message:lj}{NewLine}", fileSizeLimitBytes: 10 * 1024 * 1024, rollOnFileSizeLimit: true, retainedFileCountLimit: 3, shared: true)
            .CreateLogger();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rotating.Dispose();
        _serilog.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public void SerilogSharedFile() => _serilog.Information(Text);

    [Benchmark]
    public void Rotating() => _rotating.Append(Bytes);
}
