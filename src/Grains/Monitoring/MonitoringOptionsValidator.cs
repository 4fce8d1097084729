using Microsoft.Extensions.Options;

namespace Assistant.Monitoring;

public sealed class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitoringOptions o)
    {
        var failures = new List<string>();
        Positive(failures, "Monitoring:HealthIntervalSeconds", o.HealthIntervalSeconds);
        Positive(failures, "Monitoring:CleanupIntervalMinutes", o.CleanupIntervalMinutes);
        Positive(failures, "Monitoring:DailyIntervalHours", o.DailyIntervalHours);
        Positive(failures, "Monitoring:HistoryHours", o.HistoryHours);
        Positive(failures, "Monitoring:MemoryLimitMb", o.MemoryLimitMb);
        Positive(failures, "Monitoring:SessionCapacity", o.SessionCapacity);
        Positive(failures, "Monitoring:AlertCooldownMinutes", o.AlertCooldownMinutes);
        Positive(failures, "Monitoring:ThrottleConcurrency", o.ThrottleConcurrency);
        Positive(failures, "Monitoring:TaskRetentionDays", o.TaskRetentionDays);
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

    private static void Positive(List<string> failures, string key, double value)
    {
        if (value <= 0)
        {
            failures.Add($"{key} must be greater than 0 (was {value})");
        }
    }
}
