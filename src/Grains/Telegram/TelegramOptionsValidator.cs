using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Assistant.Telegram;

public sealed partial class TelegramOptionsValidator : IValidateOptions<TelegramOptions>
{
    public ValidateOptionsResult Validate(string? name, TelegramOptions o)
    {
        if (!o.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!TokenShape().IsMatch(o.BotToken!))
        {
            failures.Add("Telegram:BotToken does not look like a bot token (digits, a colon, then letters, digits, _ or -)");
        }

        if (!Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttp && api.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"Telegram:ApiBaseUrl must be an http(s) URL (was '{o.ApiBaseUrl}')");
        }

        if (o.Mode == TelegramMode.Webhook)
        {
            if (!Uri.TryCreate(o.WebhookUrl, UriKind.Absolute, out var hook) || (hook.Scheme != Uri.UriSchemeHttps && hook.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"Telegram:WebhookUrl must be the public URL of /telegram/webhook in webhook mode (was '{o.WebhookUrl}')");
            }

            if (string.IsNullOrEmpty(o.WebhookSecret) || !SecretShape().IsMatch(o.WebhookSecret))
            {
                failures.Add("Telegram:WebhookSecret is required in webhook mode: 1 to 256 characters of A-Z, a-z, 0-9, _ and -");
            }
        }

        if (o.PollTimeoutSeconds is < 0 or > 50)
        {
            failures.Add($"Telegram:PollTimeoutSeconds must be between 0 and 50 (was {o.PollTimeoutSeconds})");
        }

        if (o.StallSeconds <= o.PollTimeoutSeconds)
        {
            failures.Add($"Telegram:StallSeconds ({o.StallSeconds}) must be longer than Telegram:PollTimeoutSeconds ({o.PollTimeoutSeconds})");
        }

        if (o.DeliveryTimeoutSeconds <= 0 || 2 * o.DeliveryTimeoutSeconds + o.PollTimeoutSeconds >= o.StallSeconds)
        {
            failures.Add($"Telegram:DeliveryTimeoutSeconds ({o.DeliveryTimeoutSeconds}) must be greater than 0, and twice it plus Telegram:PollTimeoutSeconds ({o.PollTimeoutSeconds}) less than Telegram:StallSeconds ({o.StallSeconds}): one pass of the poll loop hands parked updates over, polls and hands the batch over");
        }

        failures.Positive("Telegram:RecoverySeconds", o.RecoverySeconds);
        failures.Positive("Telegram:MaxDeliveryAttempts", o.MaxDeliveryAttempts);
        if (o.MaxDocumentBytes < 1)
        {
            failures.Add($"Telegram:MaxDocumentBytes must be at least 1 (it is {o.MaxDocumentBytes})");
        }

        if (o.MaxPhotoBytes < 1)
        {
            failures.Add($"Telegram:MaxPhotoBytes must be at least 1 (it is {o.MaxPhotoBytes})");
        }

        failures.Positive("Telegram:MaxAudioSeconds", o.MaxAudioSeconds);

        if (o.FloodGate.GlobalPerSecond <= 0 || o.FloodGate.PerChatPerSecond <= 0 || o.FloodGate.PerGroupPerMinute <= 0)
        {
            failures.Add("Telegram:FloodGate:GlobalPerSecond, PerChatPerSecond and PerGroupPerMinute must be greater than 0");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^\d+:[A-Za-z0-9_-]+$")]
    private static partial Regex TokenShape();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex SecretShape();
}
