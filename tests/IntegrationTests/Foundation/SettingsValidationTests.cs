using Assistant.IntegrationTests.Infrastructure;
using Assistant.Silo;
using Assistant.Silo.Hosting;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// Every documented setting, given a bad value, stops the start with the one line that names it
/// (the line <c>Program</c> prints after "Startup failed:", exit code 2), before Orleans or the web
/// server start: checked in-process by building the app and running its start-up validation.
/// </summary>
public sealed class SettingsValidationTests
{
    private const string Token = "123456789:AAE-test_token_abcdefghijklmnopqrstuvwx";

    public static TheoryData<string, string> BadSettings => new()
    {
        { "Cluster:SiloPort", "70000" },
        { "Cluster:GatewayPort", "-1" },
        { "Cluster:ProbeTimeoutSeconds", "0" },
        { "Cluster:MissedProbesLimit", "0" },
        { "Cluster:ResponseTimeoutSeconds", "0" },
        { "Cluster:DirectoryCacheSize", "0" },
        { "Cluster:Retry:Attempts", "-1" },
        { "Cluster:Singletons:Seconds", "0" },
        { "Logs:FileSizeLimitMb", "0" },
        { "Logs:RetainedFiles", "0" },
        { "Logs:TaskLogDays", "0" },
        { "Logs:ColdStorageDays", "-1" },
        { "Logs:DeleteAfterDays", "10" }, // before the archives reach cold storage (30)
        { "Logs:ColdStorageDirectory", " " },
        { "Health:TimeoutSeconds", "0" },
        { "Health:CacheSeconds", "-1" },
        { "Telemetry:OtlpEndpoint", "not a url" },
        { "AI:Endpoint", "not a url" },
        { "AI:TimeoutSeconds", "0" },
        { "AI:MaxRetries", "-1" },
        { "AI:MaxOutputTokens", "0" },
        { "AI:TranscriptionEndpoint", "ftp://example.test/v1" },
        { "Sessions:MaxContextMessages", "0" },
        { "Sessions:MaxContextTokens", "0" },
        { "Sessions:PressureContextMessages", "0" },
        { "Sessions:MaxMessageChars", "0" },
        { "Sessions:MaxQueuedMessages", "0" },
        { "Sessions:MaxActive", "-1" },
        { "Sessions:IdleMinutes", "0.5" }, // Orleans refused this after our validation passed it
        { "Sessions:IdleMinutes", "1" },
        { "Sessions:InactiveContextHours", "0" },
        { "Streaming:BaseIntervalMs", "-1" },
        { "Streaming:GroupFactor", "0.5" },
        { "Streaming:FirstPushMs", "-1" },
        { "Cluster:Retry:DelayMs", "-1" },
        { "Telegram:PollTimeoutSeconds", "99" },
        { "Telegram:StallSeconds", "1" },
        { "Telegram:DeliveryTimeoutSeconds", "40" }, // twice it and a poll no longer fit in the 90 s watchdog
        { "Telegram:DeliveryTimeoutSeconds", "0" },
        { "Telegram:RecoverySeconds", "0" },
        { "Telegram:MaxDeliveryAttempts", "0" },
        { "Telegram:MaxDocumentBytes", "0" },
        { "Telegram:MaxPhotoBytes", "0" },
        { "Telegram:MaxAudioSeconds", "0" },
        { "Telegram:FloodGate:GlobalPerSecond", "0" },
        { "Telegram:ApiBaseUrl", "not a url" },
        { "Monitoring:HealthIntervalSeconds", "0" },
        { "Monitoring:OptimizationIntervalSeconds", "0" },
        { "Monitoring:CleanupIntervalMinutes", "0" },
        { "Monitoring:HistoryHours", "0" },
        { "Monitoring:HistoryDays", "0" },
        { "Monitoring:MemoryGrowthMbPerHour", "0" },
        { "Monitoring:LatencyWindowMinutes", "0" },
        { "Monitoring:ReplyBudgetTextMs", "0" },
        { "Monitoring:ReplyBudgetMediaMs", "-5" },
        { "Monitoring:MemoryLimitMb", "0" },
        { "Monitoring:SessionCapacity", "0" },
        { "Monitoring:MemoryWarningMb", "0" },
        { "Monitoring:MemoryElevatedPercent", "0" },
        { "Monitoring:CpuHighPercent", "101" },
        { "Monitoring:DiskCriticalPercent", "0" },
        { "Monitoring:ThrottleQueueLength", "-1" },
        { "Monitoring:HealthScoreWarning", "150" }, // 0 is allowed: never warn
        { "Monitoring:HealthScoreSustainedSeconds", "-1" }, // 0 is allowed: at the first low cycle
        { "Monitoring:CpuSustainedPercent", "150" },
        { "Monitoring:SessionLoadPercent", "0" }, // above 100 is allowed: SessionCapacity is a sizing figure
        { "Monitoring:DiskWarningPercent", "150" },
        { "Monitoring:AlertCooldownMinutes", "-1" },
        { "Monitoring:AlertWebhookUrl", "not a url" },
        { "Monitoring:AlertDeliveryTimeoutSeconds", "0" },
        { "Monitoring:AlertDeliveryAttempts", "0" },
        { "Monitoring:EmergencyMemoryMb", "0" },
        { "Monitoring:ThrottleCpuPercent", "150" },
        { "Monitoring:ThrottleConcurrency", "0" },
        { "Monitoring:ThrottleNoticeSeconds", "0" },
        { "Monitoring:OptimizeAbovePercent", "0" },
        { "Monitoring:TaskRetentionDays", "0" },
        { "Restart:MaxPerHour", "-1" },
        { "Restart:BackoffBaseSeconds", "-1" },
        { "Restart:MemoryLimitMb", "0" },
        { "Restart:ScheduledTime", "25:99" },
        { "Maintenance:BackupRetain", "0" },
        { "Maintenance:BackupIntervalHours", "-1" }, // 0 turns backups off
        { "Maintenance:VacuumIntervalDays", "-1" },
        { "Maintenance:LowPriorityMaxWaitMinutes", "0" },
        { "Api:MaxBodyBytes", "0" },
        { "Api:FailedAuthPerMinute", "0" },
        { "Process:CpuAffinity:0", "-1" },
        { "AI:MaxRetryAfterSeconds", "-1" },
        { "AI:ReplyTimeoutSeconds", "0" },
        { "AI:RetryBaseDelaySeconds", "-1" },
        { "AI:Temperature", "7" },
        { "AI:Provider", "Magic" },
        { "Cluster:IAmAliveSeconds", "0" },
        { "Cluster:Retry:MaxDelayMs", "-1" },
        { "Cluster:TableRefreshSeconds", "0" },
        { "Cluster:VotesForDeathDeclaration", "0" },
        { "Monitoring:CpuSustainedSeconds", "0" },
        { "Monitoring:DailyIntervalHours", "0" },
        { "Monitoring:EmergencyExitMemoryMb", "700" }, // over Monitoring:EmergencyMemoryMb (600): emergency mode would never end
        { "Monitoring:MemoryCriticalMb", "700" },      // under Monitoring:MemoryWarningMb (800)
        { "Monitoring:ThrottleExitCpuPercent", "90" }, // over Monitoring:ThrottleCpuPercent (85)
        { "Monitoring:ThrottleRetryAfterSeconds", "0" },
        { "Restart:GraceSeconds", "-1" },
        { "Sessions:MaxSessionIdLength", "0" },
        { "Telegram:FloodGate:PerChatPerSecond", "0" },
        { "Telegram:FloodGate:PerGroupPerMinute", "0" },
        { "Telegram:Mode", "Carrier-pigeon" },
        { "Telemetry:OtlpExportIntervalSeconds", "0" },
        { "Telemetry:OtlpProtocol", "smoke-signals" },
        { "Storage:Provider", "Oracle" },
        { "Storage:StateFormat", "Xml" },
        { "Storage:SqliteSynchronous", "Off" },
        { "Storage:SqliteSynchronous", "7" },
        { "AI:Personas:custom", "a prompt" }, // the name /persona custom takes
        { "AI:Personas:pirate", " " },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_value_stops_the_start_with_one_line_that_names_the_setting(string key, string value)
    {
        var line = await StartupProblemAsync(key, value);

        Assert.True(line is not null, $"{key}={value} was accepted");
        Assert.Contains(key.Split(':')[0], line, StringComparison.Ordinal);
        Assert.Contains(key.Split(':')[^1], line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public async Task The_defaults_pass()
    {
        Assert.Null(await StartupProblemAsync(null, null));
    }

    [Theory]
    [InlineData("Monitoring:OptimizeAbovePercent", "1000")] // never prune: a share of the memory limit may pass 100
    [InlineData("Monitoring:MemoryElevatedPercent", "110")]
    [InlineData("Monitoring:SessionLoadPercent", "150")]
    [InlineData("Monitoring:HealthScoreWarning", "0")]     // never warn
    [InlineData("Monitoring:ThrottleQueueLength", "0")]    // nothing waits
    [InlineData("Cluster:Retry:Attempts", "0")]            // no retries
    [InlineData("Cluster:Retry:DelayMs", "5000")]          // longer than MaxDelayMs: capped
    [InlineData("Streaming:MaxIntervalMs", "0")]           // no growth
    [InlineData("Maintenance:BackupIntervalHours", "0")]   // backups off
    [InlineData("Sessions:IdleMinutes", "1.5")]
    public async Task Unusual_values_that_mean_something_are_accepted(string key, string value)
    {
        Assert.Null(await StartupProblemAsync(key, value));
    }

    /// <returns>The operator's line for what stops the start, or null when nothing does.</returns>
    private static async Task<string?> StartupProblemAsync(string? key, string? value)
    {
        var directory = TestPaths.NewTempDirectory("settings");
        var args = new List<string>
        {
            $"--Storage:DatabasePath={Path.Combine(directory, "data", "system.db")}",
            $"--Logs:Directory={Path.Combine(directory, "logs")}",
        };
        if (key?.StartsWith("Telegram:", StringComparison.Ordinal) == true)
        {
            args.Add($"--Telegram:BotToken={Token}"); // the channel's settings are checked once it is enabled
        }

        if (key?.StartsWith("AI:", StringComparison.Ordinal) == true && key != "AI:Endpoint")
        {
            args.Add("--AI:Endpoint=http://127.0.0.1:9/v1");
            args.Add("--AI:Model=m");
        }

        if (key is not null)
        {
            args.Add($"--{key}={value}");
        }

        try
        {
            await using var app = AssistantApp.Build([.. args]);
            app.ValidateSettings(); // what Program does before it starts anything
            return null;
        }
        catch (Exception ex) when (StartupErrors.Describe(ex) is { } line)
        {
            return line;
        }
    }
}
