using Microsoft.Extensions.Options;

namespace Assistant.Monitoring;

public sealed class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitoringOptions o)
    {
        var failures = new List<string>();
        failures.Positive("Monitoring:HealthIntervalSeconds", o.HealthIntervalSeconds);
        failures.Positive("Monitoring:CleanupIntervalMinutes", o.CleanupIntervalMinutes);
        failures.Positive("Monitoring:DailyIntervalHours", o.DailyIntervalHours);
        failures.Positive("Monitoring:HistoryHours", o.HistoryHours);
        if (!(o.HistoryDays >= 1))
        {
            failures.Add($"Monitoring:HistoryDays must be at least 1 (GET /resources/trends reads whole days; was {o.HistoryDays})");
        }

        failures.Positive("Monitoring:MemoryGrowthMbPerHour", o.MemoryGrowthMbPerHour);
        failures.Positive("Monitoring:LatencyWindowMinutes", o.LatencyWindowMinutes);
        failures.Positive("Monitoring:ReplyBudgetTextMs", o.ReplyBudgetTextMs);
        failures.Positive("Monitoring:ReplyBudgetMediaMs", o.ReplyBudgetMediaMs);
        failures.Positive("Monitoring:MemoryLimitMb", o.MemoryLimitMb);
        failures.Positive("Monitoring:SessionCapacity", o.SessionCapacity);
        failures.Positive("Monitoring:AlertCooldownMinutes", o.AlertCooldownMinutes);
        failures.Positive("Monitoring:AlertDeliveryTimeoutSeconds", o.AlertDeliveryTimeoutSeconds);
        failures.Positive("Monitoring:AlertDeliveryAttempts", o.AlertDeliveryAttempts);
        failures.Positive("Monitoring:ThrottleConcurrency", o.ThrottleConcurrency);
        failures.Positive("Monitoring:TaskRetentionDays", o.TaskRetentionDays);
        failures.Positive("Monitoring:MemoryWarningMb", o.MemoryWarningMb);
        failures.Positive("Monitoring:MemoryCriticalMb", o.MemoryCriticalMb);
        failures.Positive("Monitoring:EmergencyMemoryMb", o.EmergencyMemoryMb);
        failures.Positive("Monitoring:EmergencyExitMemoryMb", o.EmergencyExitMemoryMb);
        failures.Positive("Monitoring:CpuSustainedSeconds", o.CpuSustainedSeconds);
        failures.NotNegative("Monitoring:HealthScoreSustainedSeconds", o.HealthScoreSustainedSeconds);
        failures.NotNegative("Monitoring:ThrottleQueueLength", o.ThrottleQueueLength); // 0: nothing waits, every request over the limit gets 429
        failures.Positive("Monitoring:ThrottleRetryAfterSeconds", o.ThrottleRetryAfterSeconds);
        failures.Positive("Monitoring:ThrottleNoticeSeconds", o.ThrottleNoticeSeconds);
        failures.NotNegative("Monitoring:EmergencyCleanupCooldownSeconds", o.EmergencyCleanupCooldownSeconds);
        failures.Positive("Monitoring:EmergencyIdleMinutes", o.EmergencyIdleMinutes);
        if (o.HealthScoreWarning is < 0 or > 100)
        {
            failures.Add($"Monitoring:HealthScoreWarning must be between 0 (never warn) and 100 (was {o.HealthScoreWarning})");
        }

        // Shares of Monitoring:MemoryLimitMb and Monitoring:SessionCapacity, which a silo may exceed: no upper bound.
        failures.Positive("Monitoring:MemoryElevatedPercent", o.MemoryElevatedPercent);
        failures.Positive("Monitoring:OptimizeAbovePercent", o.OptimizeAbovePercent);
        failures.Positive("Monitoring:SessionLoadPercent", o.SessionLoadPercent);
        failures.Percent("Monitoring:CpuSustainedPercent", o.CpuSustainedPercent);
        failures.Percent("Monitoring:CpuHighPercent", o.CpuHighPercent);
        failures.Percent("Monitoring:DiskWarningPercent", o.DiskWarningPercent);
        failures.Percent("Monitoring:DiskCriticalPercent", o.DiskCriticalPercent);
        failures.Percent("Monitoring:ThrottleCpuPercent", o.ThrottleCpuPercent);
        failures.Percent("Monitoring:ThrottleExitCpuPercent", o.ThrottleExitCpuPercent);
        if (o.OptimizationIntervalSeconds < 60)
        {
            failures.Add($"Monitoring:OptimizationIntervalSeconds must be at least 60 (it is a reminder; was {o.OptimizationIntervalSeconds})");
        }

        if (o.MemoryCriticalMb < o.MemoryWarningMb)
        {
            failures.Add($"Monitoring:MemoryCriticalMb ({o.MemoryCriticalMb}) must not be below Monitoring:MemoryWarningMb ({o.MemoryWarningMb})");
        }

        if (o.EmergencyExitMemoryMb > o.EmergencyMemoryMb)
        {
            failures.Add($"Monitoring:EmergencyExitMemoryMb ({o.EmergencyExitMemoryMb}) must not exceed Monitoring:EmergencyMemoryMb ({o.EmergencyMemoryMb})");
        }

        if (o.ThrottleExitCpuPercent > o.ThrottleCpuPercent)
        {
            failures.Add($"Monitoring:ThrottleExitCpuPercent ({o.ThrottleExitCpuPercent}) must not exceed Monitoring:ThrottleCpuPercent ({o.ThrottleCpuPercent})");
        }

        if (o.AlertWebhookUrl is not null && !Uri.TryCreate(o.AlertWebhookUrl, UriKind.Absolute, out _))
        {
            failures.Add($"Monitoring:AlertWebhookUrl must be an absolute URL (was '{o.AlertWebhookUrl}')");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
