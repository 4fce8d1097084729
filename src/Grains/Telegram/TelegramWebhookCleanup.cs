using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telegram.Bot;

namespace Assistant.Telegram;

/// <summary>In webhook mode, the last silo to stop removes the webhook, so Telegram stops posting to nowhere.</summary>
internal sealed partial class TelegramWebhookCleanup(
    TelegramBot bot,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    ILogger<TelegramWebhookCleanup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!bot.Enabled || bot.Options.Mode != TelegramMode.Webhook)
        {
            return;
        }

        var others = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress));
        if (others > 0)
        {
            return;
        }

        try
        {
            await bot.Client.DeleteWebhook(dropPendingUpdates: false, cancellationToken);
            LogWebhookDeleted(logger);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "🛑 Last silo stopping: Telegram webhook deleted")]
    private static partial void LogWebhookDeleted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the Telegram webhook: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
