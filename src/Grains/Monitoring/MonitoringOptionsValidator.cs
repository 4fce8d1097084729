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
        failures.Positive("Monitoring:MemoryLimitMb", o.MemoryLimitMb);
        failures.Positive("Monitoring:SessionCapacity", o.SessionCapacity);
        failures.Positive("Monitoring:AlertCooldownMinutes", o.AlertCooldownMinutes);
        failures.Positive("Monitoring:AlertDeliveryTimeoutSeconds", o.AlertDeliveryTimeoutSeconds);
        failures.Positive("Monitoring:AlertDeliveryAttempts", o.AlertDeliveryAttempts);
        failures.Positive("Monitoring:ThrottleConcurrency", o.ThrottleConcurrency);
        failures.Positive("Monitoring:TaskRetentionDays", o.TaskRetentionDays);
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
