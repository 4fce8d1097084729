using Assistant.Sessions;
using Assistant.Silos;
using Microsoft.Extensions.Logging;
using Telegram.Bot.Types;

namespace Assistant.Telegram;

/// <summary>Hands Telegram updates to the sessions of their chats, on whichever silo they live.</summary>
public sealed partial class UpdateRouter(IGrainFactory grains, TelegramBot bot, ClusterRetry retry, ILogger<UpdateRouter> logger)
{
    public enum Outcome
    {
        Delivered,
        Duplicate,
        Ignored,
    }

    public async Task<Outcome> RouteAsync(Update update, CancellationToken cancellationToken = default)
    {
        var incoming = IncomingMessages.From(update, await bot.IdentityAsync(cancellationToken));
        if (incoming is null)
        {
            LogIgnored(logger, update.Id, update.Type.ToString());
            return Outcome.Ignored;
        }

        var session = grains.GetGrain<IChatSessionGrain>(incoming.ChatId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await retry.CallAsync(() => session.DeliverAsync(incoming), cancellationToken);
        LogRouted(logger, update.Id, incoming.ChatId, result.ToString());
        return result == DeliveryOutcome.Accepted ? Outcome.Delivered : Outcome.Duplicate;
    }

    /// <summary>
    /// Routes a batch: chats in parallel, each chat's updates in order. Returns the offset to confirm:
    /// one past the last update of the unbroken run of routed updates from the start of the batch.
    /// </summary>
    public async Task<long?> RouteBatchAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken = default)
    {
        var failed = new HashSet<long>();
        var byChat = updates.GroupBy(u => u.Message?.Chat.Id ?? 0);
        await Task.WhenAll(byChat.Select(async chat =>
        {
            foreach (var update in chat.OrderBy(u => u.Id))
            {
                try
                {
                    await RouteAsync(update, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRouteFailed(logger, ex, update.Id);
                    lock (failed)
                    {
                        // Later updates of this chat wait too, so that its messages keep their order.
                        foreach (var rest in chat.Where(u => u.Id >= update.Id))
                        {
                            failed.Add(rest.Id);
                        }
                    }

                    return;
                }
            }
        }));

        long? confirmed = null;
        foreach (var update in updates.OrderBy(u => u.Id))
        {
            if (failed.Contains(update.Id))
            {
                break;
            }

            confirmed = update.Id + 1;
        }

        return confirmed;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Update {UpdateId} ({Type}) is not for the bot")]
    private static partial void LogIgnored(ILogger logger, long updateId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Update {UpdateId} for chat {ChatId}: {Outcome}")]
    private static partial void LogRouted(ILogger logger, long updateId, long chatId, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Update {UpdateId} could not be handed to its session; it will be fetched again")]
    private static partial void LogRouteFailed(ILogger logger, Exception exception, long updateId);
}
