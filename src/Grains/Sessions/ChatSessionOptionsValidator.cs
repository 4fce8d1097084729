using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

public sealed class ChatSessionOptionsValidator : IValidateOptions<ChatSessionOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatSessionOptions o)
    {
        var failures = new List<string>();
        Positive(failures, "Sessions:MaxContextMessages", o.MaxContextMessages);
        Positive(failures, "Sessions:MaxContextTokens", o.MaxContextTokens);
        Positive(failures, "Sessions:PressureContextMessages", o.PressureContextMessages);
        Positive(failures, "Sessions:MaxMessageChars", o.MaxMessageChars);
        Positive(failures, "Sessions:MaxSessionIdLength", o.MaxSessionIdLength);
        Positive(failures, "Sessions:MaxQueuedMessages", o.MaxQueuedMessages);
        Positive(failures, "Sessions:IdleMinutes", o.IdleMinutes);
        Positive(failures, "Sessions:InactiveContextHours", o.InactiveContextHours);
        if (o.PressureContextMessages > o.MaxContextMessages)
        {
            failures.Add($"Sessions:PressureContextMessages ({o.PressureContextMessages}) must not exceed Sessions:MaxContextMessages ({o.MaxContextMessages})");
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
