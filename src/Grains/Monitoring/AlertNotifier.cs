using System.Globalization;
using System.Net.Http.Json;
using Assistant.Telegram;
using Microsoft.Extensions.Options;
using Telegram.Bot.Types.Enums;

namespace Assistant.Monitoring;

/// <summary>
/// Makes one delivery of an alert to one destination: <see cref="Webhook"/> (a JSON POST to
/// <c>Monitoring:AlertWebhookUrl</c>) or <c>telegram:ADMIN</c> (a message to that Telegram admin).
/// Each delivery is bounded by <c>Monitoring:AlertDeliveryTimeoutSeconds</c>; retrying is the
/// <see cref="AlertDeliveryGrain"/>'s business.
/// </summary>
public sealed partial class AlertNotifier(
    IHttpClientFactory http,
    IOptions<MonitoringOptions> options,
    TelegramBot bot,
    TelegramOutbox outbox,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Clock.Key)] TimeProvider time)
{
    public const string HttpClientName = "alerts";
    public const string Webhook = "webhook";
    private const string TelegramPrefix = "telegram:";

    /// <summary>Where an alert raised now goes.</summary>
    public IReadOnlyList<string> Destinations()
    {
        var destinations = new List<string>();
        if (options.Value.AlertWebhookUrl is not null)
        {
            destinations.Add(Webhook);
        }

        if (bot.Enabled)
        {
            destinations.AddRange(bot.Options.AdminUsers.Select(a => TelegramPrefix + a.ToString(CultureInfo.InvariantCulture)));
        }

        return destinations;
    }

    /// <summary>
    /// A destination as status pages may show it: <c>webhook</c>, or <c>Telegram admin 2</c> (its
    /// place in <c>Telegram:AdminUsers</c>, counted from 1), never the admin's user id.
    /// </summary>
    public string Describe(string destination) => Describe(destination, bot.Options.AdminUsers);

    public static string Describe(string destination, IReadOnlyList<long> admins)
    {
        if (!destination.StartsWith(TelegramPrefix, StringComparison.Ordinal))
        {
            return destination;
        }

        var place = admins.ToList().IndexOf(long.Parse(destination[TelegramPrefix.Length..], CultureInfo.InvariantCulture));
        return place >= 0 ? $"Telegram admin {place + 1}" : "a Telegram admin no longer in Telegram:AdminUsers";
    }

    /// <summary>
    /// A delivery failure as builds before 2026-12-07 stored it (<c>... to telegram:&lt;admin id&gt;: ...
    /// refuses messages to chat &lt;id&gt;</c>), with the ids taken out; text of this build has none.
    /// </summary>
    public string Anonymous(string failure) => Anonymous(failure, bot.Options.AdminUsers);

    public static string Anonymous(string failure, IReadOnlyList<long> admins) =>
        ChatId().Replace(AdminDestination().Replace(failure, m => Describe(m.Value, admins)), "this chat");

    [System.Text.RegularExpressions.GeneratedRegex(@"telegram:-?\d+")]
    private static partial System.Text.RegularExpressions.Regex AdminDestination();

    [System.Text.RegularExpressions.GeneratedRegex(@"chat -?\d{5,}")]
    private static partial System.Text.RegularExpressions.Regex ChatId();

    public async Task<DeliveryOutcome> DeliverAsync(PerformanceAlert alert, string destination)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.AlertDeliveryTimeoutSeconds);
        using var deadline = new CancellationTokenSource(timeout, time);
        try
        {
            if (destination == Webhook)
            {
                if (options.Value.AlertWebhookUrl is not { } url)
                {
                    return DeliveryOutcome.Dropped("Monitoring:AlertWebhookUrl is no longer set");
                }

                using var response = await http.CreateClient(HttpClientName).PostAsJsonAsync(url, AlertPayload.From(alert), AlertPayload.Json, deadline.Token);
                response.EnsureSuccessStatusCode();
                return DeliveryOutcome.Done;
            }

            var admin = long.Parse(destination[TelegramPrefix.Length..], CultureInfo.InvariantCulture);
            if (!bot.Enabled)
            {
                return DeliveryOutcome.Dropped("the Telegram channel is not configured");
            }

            var text = $"⚠️ {alert.Severity.ToString().ToUpperInvariant()} {alert.AlertType}\n{alert.Message}\n→ {alert.RecommendedAction}";
            await outbox.SendAsync(new TelegramTarget(admin, false, 0, null), Assistant.Telegram.Formatting.OutgoingText.Plain(text), replyToUser: false, deadline.Token);
            return DeliveryOutcome.Done;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return DeliveryOutcome.Failed($"no answer within Monitoring:AlertDeliveryTimeoutSeconds ({timeout.TotalSeconds:0.#} s)", NotBefore(destination));
        }
        catch (ChatUnreachableException ex)
        {
            return DeliveryOutcome.Dropped($"the admin chat does not take messages from the bot ({ex.Message})");
        }
        catch (Exception ex)
        {
            return DeliveryOutcome.Failed(ex.Message, NotBefore(destination));
        }
    }

    /// <summary>For a Telegram admin held back by a 429, when it may be tried again.</summary>
    private DateTimeOffset? NotBefore(string destination) =>
        destination.StartsWith(TelegramPrefix, StringComparison.Ordinal)
            ? outbox.BlockedUntil(long.Parse(destination[TelegramPrefix.Length..], CultureInfo.InvariantCulture))
            : null;
}

/// <summary>
/// One delivery's result: done; failed (retried, not before <see cref="NotBefore"/> when the
/// destination said so); or dropped (retrying cannot help, such as a blocked bot).
/// </summary>
public sealed record DeliveryOutcome(bool Delivered, bool Retry, string? Failure, DateTimeOffset? NotBefore)
{
    public static readonly DeliveryOutcome Done = new(true, false, null, null);

    public static DeliveryOutcome Failed(string reason, DateTimeOffset? notBefore) => new(false, true, reason, notBefore);

    public static DeliveryOutcome Dropped(string reason) => new(false, false, reason, null);
}
