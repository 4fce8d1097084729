using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telegram.Bot;

namespace Assistant.Telegram;

/// <summary>
/// On every silo: makes sure the channel grain is active somewhere (a call activates it), so a
/// lost silo's channel is back within seconds; and removes the webhook when the last silo stops.
/// </summary>
internal sealed partial class TelegramChannelKeeper(
    TelegramBot bot,
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    TimeProvider time,
    ILogger<TelegramChannelKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!bot.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(bot.Options.KeeperSeconds), time);
        do
        {
            try
            {
                await grains.GetGrain<ITelegramChannelGrain>(0).EnsureRunningAsync().WaitAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogUnreachable(logger, ex.GetType().Name, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!bot.Enabled || bot.Options.Mode != TelegramMode.Webhook)
        {
            return;
        }

        var others = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress));
        if (others == 0)
        {
            try
            {
                await bot.Client.DeleteWebhook(dropPendingUpdates: false, cancellationToken);
                LogWebhookDeleted(logger);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogUnreachable(logger, ex.GetType().Name, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Telegram channel not reachable yet ({Exception}: {Reason})")]
    private static partial void LogUnreachable(ILogger logger, string exception, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Last silo stopping: Telegram webhook deleted")]
    private static partial void LogWebhookDeleted(ILogger logger);
}
