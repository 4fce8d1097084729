using System.Globalization;
using Microsoft.Extensions.Options;

namespace Assistant.Restarts;

public sealed class RestartOptionsValidator : IValidateOptions<RestartOptions>
{
    public ValidateOptionsResult Validate(string? name, RestartOptions o)
    {
        var failures = new List<string>();
        failures.Positive("Restart:MemoryLimitMb", o.MemoryLimitMb);

        if (o.MaxPerHour < 1)
        {
            failures.Add($"Restart:MaxPerHour must be at least 1 (was {o.MaxPerHour})");
        }

        if (o.BackoffBaseSeconds < 0 || o.GraceSeconds < 0)
        {
            failures.Add("Restart:BackoffBaseSeconds and Restart:GraceSeconds must not be negative");
        }

        if (o.ScheduledTime is { Length: > 0 } at && !TimeOnly.TryParseExact(at, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            failures.Add($"Restart:ScheduledTime must be a UTC time as HH:mm, such as 03:30 (was '{at}')");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
