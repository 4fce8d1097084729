using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

public sealed class ChatSessionOptionsValidator : IValidateOptions<ChatSessionOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatSessionOptions o)
    {
        var failures = new List<string>();
        failures.Positive("Sessions:MaxContextMessages", o.MaxContextMessages);
        failures.Positive("Sessions:MaxContextTokens", o.MaxContextTokens);
        failures.Positive("Sessions:PressureContextMessages", o.PressureContextMessages);
        failures.Positive("Sessions:MaxMessageChars", o.MaxMessageChars);
        failures.Positive("Sessions:MaxSessionIdLength", o.MaxSessionIdLength);
        failures.Positive("Sessions:MaxQueuedMessages", o.MaxQueuedMessages);
        failures.NotNegative("Sessions:MaxActive", o.MaxActive);
        if (o.IdleMinutes <= 1)
        {
            // Orleans collects idle activations once a minute and refuses an age that is not longer.
            failures.Add($"Sessions:IdleMinutes must be more than 1 (Orleans looks for idle sessions once a minute; was {o.IdleMinutes})");
        }
        failures.Positive("Sessions:InactiveContextHours", o.InactiveContextHours);
        if (o.MaxSummaryTokens < 50)
        {
            failures.Add($"Sessions:MaxSummaryTokens must be at least 50 (a summary shorter than that keeps nothing; was {o.MaxSummaryTokens})");
        }

        failures.Positive("Sessions:SummaryBatchMessages", o.SummaryBatchMessages);

        failures.NotNegative("Sessions:MaxNotes", o.MaxNotes);
        failures.Positive("Sessions:MaxNoteChars", o.MaxNoteChars);
        failures.NotNegative("Sessions:NotesCacheSeconds", o.NotesCacheSeconds);
        if (o.PressureContextMessages > o.MaxContextMessages)
        {
            failures.Add($"Sessions:PressureContextMessages ({o.PressureContextMessages}) must not exceed Sessions:MaxContextMessages ({o.MaxContextMessages})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
