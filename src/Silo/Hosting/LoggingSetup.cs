using Assistant.Logs;
using Assistant.Storage;
using Serilog;
using Serilog.Events;
using Serilog.Filters;

namespace Assistant.Silo.Hosting;

public static class LoggingSetup
{
    /// <summary>
    /// One event per line, the level and marker as the operations guide writes them:
    /// <c>2026-11-26 21:00:01.123 +00:00 - Source.Context - WARNING - ⚠️ message</c>.
    /// </summary>
    public const string Template = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} - {SourceContext} - {" + GuideLevel.Property + "} - {" + GuideLevel.MarkerProperty + "}{Message:lj}{NewLine}{Exception}";

    /// <summary>Namespaces whose events also go to <c>tasks.log</c>.</summary>
    public static readonly string[] TaskSources = ["Assistant.Tasks", "Assistant.Maintenance", "Assistant.Logs"];

    /// <summary>Namespaces whose events also go to <c>telegram.log</c>.</summary>
    public static readonly string[] TelegramSources = ["Assistant.Telegram"];

    /// <summary>
    /// Serilog with the files of the operations guide: <c>system.log</c> (everything, rotated by size
    /// to <c>system.log.1</c> ... as the guide's rotating handler does), <c>tasks.log</c> (background
    /// tasks, rotated daily to <c>tasks-YYYYMMDD.log</c>), <c>telegram.log</c> (Telegram traffic,
    /// rotated like <c>system.log</c>), and the console. What happens to them later is <see cref="LogLifecycle"/>'s.
    /// </summary>
    public static TBuilder AddAssistantLogging<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<LogsOptions>().BindConfiguration(LogsOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<LogsOptions>, LogsOptionsValidator>();

        var logs = builder.Configuration.GetSection(LogsOptions.Section).Get<LogsOptions>() ?? new LogsOptions();
        var folder = Path.GetFullPath(logs.Directory);
        var sizeLimit = Math.Max(1, logs.FileSizeLimitMb) * 1024L * 1024L;
        var backups = Math.Max(1, logs.RetainedFiles);

        CreateFirst(folder, "telegram"); // so `tail logs/telegram.log` works before Telegram has said anything
        CreateFirst(folder, "tasks");    // and `tail logs/tasks.log` before the first task
        CreateFolders(Path.Combine(folder, "archive"), Path.GetFullPath(logs.ColdStorageDirectory)); // and `ls logs/archive logs/cold` before the first archive

        builder.Services.AddSerilog((services, configuration) =>
        {
            // Every sink is behind the redactor, those an operator adds under Serilog:WriteTo too:
            // the levels and enrichers are read here, the configured sinks inside the wrap.
            configuration
                .ReadFrom.Configuration(WithoutSinks(builder.Configuration))
                .Enrich.FromLogContext()
                .Filter.ByExcluding(StartupNoise.IsKnown);
            var redactor = services.GetRequiredService<SecretRedactor>();
            var redacted = Serilog.Configuration.LoggerSinkConfiguration.Wrap(sink => new RedactingSink(sink, redactor), sinks =>
            {
                if (builder.Configuration.GetSection("Serilog:WriteTo").Exists())
                {
                    sinks.Logger(l => l.ReadFrom.Configuration(builder.Configuration));
                }

                // Our files and the console show the level as the guide writes it; sinks an operator
                // configured above get the events as Serilog makes them.
                sinks.Logger(own =>
                {
                    own.Enrich.With<GuideLevel>();
                    own.WriteTo.Sink(Rotating(folder, "system", sizeLimit, backups));
                    own.WriteTo.Logger(l => l
                        .Filter.ByIncludingOnly(FromAny(TaskSources))
                        .WriteTo.Sink(new DailyFileSink(folder, "tasks", new Serilog.Formatting.Display.MessageTemplateTextFormatter(Template))));
                    own.WriteTo.Logger(l => l
                        .Filter.ByIncludingOnly(FromAny(TelegramSources))
                        .WriteTo.Sink(Rotating(folder, "telegram", sizeLimit, backups)));
                    if (logs.Console)
                    {
                        own.WriteTo.Console(outputTemplate: Template, formatProvider: null);
                    }
                });
            });
            configuration.WriteTo.Sink(redacted);
        }, preserveStaticLogger: true); // each host its own logger, not the process-wide Log.Logger
        builder.Services.AddSingleton<SecretRedactor>();
        return builder;
    }

    private static RotatingFileSink Rotating(string folder, string name, long sizeLimit, int backups) =>
        new(new RotatingLog(folder, name, sizeLimit, backups), new Serilog.Formatting.Display.MessageTemplateTextFormatter(Template));

    /// <summary>
    /// Creates <c>name.log</c> empty when there is none yet, so <c>tail</c> works before anything is
    /// logged. A folder that cannot be written is named by the validation instead.
    /// </summary>
    private static void CreateFirst(string folder, string name)
    {
        try
        {
            Directory.CreateDirectory(folder);
            new FileStream(Path.Combine(folder, name + ".log"), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete).Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // LogsOptionsValidator names Logs:Directory and why.
        }
    }

    private static void CreateFolders(params string[] folders)
    {
        try
        {
            foreach (var folder in folders)
            {
                Directory.CreateDirectory(folder);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The lifecycle reports a folder it cannot use when it runs.
        }
    }

    /// <summary>The configuration with <c>Serilog:WriteTo</c> left out.</summary>
    private static IConfiguration WithoutSinks(IConfiguration configuration) =>
        new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable()
            .Where(kv => !kv.Key.StartsWith("Serilog:WriteTo", StringComparison.OrdinalIgnoreCase))).Build();

    private static Func<LogEvent, bool> FromAny(string[] sources)
    {
        var filters = sources.Select(Matching.FromSource).ToArray();
        return e => filters.Any(f => f(e));
    }

    private sealed class LogsOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<LogsOptions>
    {
        public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, LogsOptions options)
        {
            if (options.FileSizeLimitMb < 1 || options.RetainedFiles < 1 || options.TaskLogDays < 1)
            {
                return Microsoft.Extensions.Options.ValidateOptionsResult.Fail("Logs:FileSizeLimitMb, Logs:RetainedFiles and Logs:TaskLogDays must each be at least 1");
            }

            if (!(options.ColdStorageDays >= 0) || !(options.DeleteAfterDays >= options.ColdStorageDays))
            {
                return Microsoft.Extensions.Options.ValidateOptionsResult.Fail(
                    $"Logs:ColdStorageDays must not be negative and Logs:DeleteAfterDays must be at least Logs:ColdStorageDays (were {options.ColdStorageDays} and {options.DeleteAfterDays})");
            }

            if (string.IsNullOrWhiteSpace(options.ColdStorageDirectory))
            {
                return Microsoft.Extensions.Options.ValidateOptionsResult.Fail("Logs:ColdStorageDirectory must name a folder");
            }

            var problem = WritableFolder.Check(Path.GetFullPath(options.Directory));
            return problem is null
                ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
                : Microsoft.Extensions.Options.ValidateOptionsResult.Fail($"Logs:Directory {problem}");
        }
    }
}
