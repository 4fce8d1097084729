using System.Net.Http.Json;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot.Types.Enums;

namespace Assistant.Monitoring;

/// <summary>Delivers medium and higher alerts: a JSON POST to <c>Monitoring:AlertWebhookUrl</c>, and a message to each Telegram admin.</summary>
public sealed partial class AlertNotifier(
    IHttpClientFactory http,
    IOptions<MonitoringOptions> options,
    TelegramBot bot,
    TelegramOutbox outbox,
    ILogger<AlertNotifier> logger)
{
    public const string HttpClientName = "alerts";

    public async Task DeliverAsync(PerformanceAlert alert, CancellationToken cancellationToken = default)
    {
        if (options.Value.AlertWebhookUrl is { } url)
        {
            try
            {
                using var response = await http.CreateClient(HttpClientName).PostAsJsonAsync(url, AlertPayload.From(alert), AlertPayload.Json, cancellationToken);
                response.EnsureSuccessStatusCode();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                LogWebhookFailed(logger, alert.AlertType, ex.Message);
            }
        }

        if (bot.Enabled)
        {
            var text = $"⚠️ {alert.Severity.ToString().ToUpperInvariant()} {alert.AlertType}\n{alert.Message}\n→ {alert.RecommendedAction}";
            foreach (var admin in bot.Options.AdminUsers)
            {
                try
                {
                    await outbox.SendAsync(new TelegramTarget(admin, false, 0, null), text, replyToUser: false, ParseMode.None, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogTelegramFailed(logger, admin, ex.Message);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not deliver alert {AlertType} to the alert webhook: {Reason}")]
    private static partial void LogWebhookFailed(ILogger logger, string alertType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send an alert to Telegram admin {Admin}: {Reason}")]
    private static partial void LogTelegramFailed(ILogger logger, long admin, string reason);
}
