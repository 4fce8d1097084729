using Assistant.Sessions;
using Assistant.Silos;
using Microsoft.Extensions.Logging;
using Telegram.Bot.Types;

namespace Assistant.Telegram;

/// <summary>
/// Hands Telegram updates to the sessions of their chats, on whichever silo they live. An update
/// a session cannot take (its storage fails) is parked by the poller with the later updates of its
/// chat and handed over again with backoff, so no chat waits behind another; after
/// <see cref="TelegramOptions.MaxDeliveryAttempts"/> the user is told and it becomes a dead letter.
/// </summary>
public sealed partial class UpdateRouter(
    IGrainFactory grains,
    TelegramBot bot,
    ClusterRetry retry,
    DeadLetters deadLetters,
    TelegramResponder responder,
    TelegramCounters counters,
    ILogger<UpdateRouter> logger)
{
    /// <summary>
    /// A webhook delivery: the update is handed to its session, or, when the session cannot store
    /// it, parked with the channel to be handed over again. Throws only when neither is possible
    /// (Telegram then delivers it again).
    /// </summary>
    public async Task RouteOrParkAsync(Update update, CancellationToken cancellationToken)
    {
        if (await ParseAsync(update, cancellationToken) is not { } incoming)
        {
            return;
        }

        try
        {
            await DeliverAsync(incoming, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRouteFailed(logger, ex, incoming.UpdateId, incoming.ChatId, 1);
            await retry.CallAsync(() => grains.GetGrain<ITelegramChannelGrain>(0).ParkAsync(incoming, $"{ex.GetType().Name}: {ex.Message}"), cancellationToken);
        }
    }

    public async Task<TelegramIncoming?> ParseAsync(Update update, CancellationToken cancellationToken)
    {
        var incoming = IncomingMessages.From(update, await bot.IdentityAsync(cancellationToken));
        if (incoming is null)
        {
            LogIgnored(logger, update.Id, update.Type.ToString());
        }

        return incoming;
    }

    public async Task<DeliveryOutcome> DeliverAsync(TelegramIncoming incoming, CancellationToken cancellationToken)
    {
        var session = grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(incoming.ChatId));
        // Bounded, so that a session that hangs parks its update instead of holding up the batch
        // (the call itself goes on: if it did store the update, the retry finds a duplicate).
        var result = await retry.CallAsync(() => session.DeliverAsync(incoming), cancellationToken).AsTask()
            .WaitAsync(TimeSpan.FromSeconds(bot.Options.DeliveryTimeoutSeconds), cancellationToken);
        LogRouted(logger, incoming.UpdateId, incoming.ChatId, result.ToString());
        return result;
    }

    /// <summary>
    /// Hands a fetched batch over: chats in parallel, each chat's updates in order. Returns the
    /// updates to park: those that failed, with the later ones of their chats, and every update of a
    /// chat listed in <paramref name="waitingChats"/> (it already has parked updates ahead of them).
    /// </summary>
    public async Task<List<ParkedUpdate>> RouteBatchAsync(IReadOnlyList<Update> updates, IReadOnlySet<long> waitingChats, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var incoming = new List<TelegramIncoming>();
        foreach (var update in updates.OrderBy(u => u.Id))
        {
            if (await ParseAsync(update, cancellationToken) is { } message)
            {
                incoming.Add(message);
            }
        }

        var parked = await Task.WhenAll(incoming.GroupBy(m => m.ChatId).Select(chat => waitingChats.Contains(chat.Key)
            ? Task.FromResult(chat.Select(m => new ParkedUpdate { Message = m, NextAttemptAt = now }).ToList())
            : DeliverInOrderAsync([.. chat.Select(m => new ParkedUpdate { Message = m })], now, cancellationToken)));
        return [.. parked.SelectMany(p => p)];
    }

    /// <summary>Hands parked updates over again, each chat's in order; returns those still parked. Updates given up are dead letters.</summary>
    public async Task<List<ParkedUpdate>> RetryAsync(IReadOnlyList<ParkedUpdate> parked, DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken)
    {
        var remaining = await Task.WhenAll(parked.GroupBy(p => p.Message.ChatId).Select(async chat =>
        {
            var queue = chat.ToList();
            if (queue[0].NextAttemptAt > now)
            {
                return queue;
            }

            var left = await DeliverInOrderAsync(queue, now, cancellationToken);
            if (left.Count > 0 && left[0].Attempts >= maxAttempts && await GiveUpAsync(left[0], cancellationToken))
            {
                left.RemoveAt(0);
                left.ForEach(p => p.NextAttemptAt = now); // The rest of the chat goes on at once.
            }

            return left;
        }));
        return [.. remaining.SelectMany(p => p)];
    }

    /// <summary>Delivers in order until one fails; returns that one (its attempt counted) and the rest.</summary>
    private async Task<List<ParkedUpdate>> DeliverInOrderAsync(List<ParkedUpdate> queue, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var i = 0; i < queue.Count; i++)
        {
            try
            {
                await DeliverAsync(queue[i].Message, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                var failed = queue[i];
                failed.Attempts++;
                failed.LastError = $"{ex.GetType().Name}: {ex.Message}";
                failed.NextAttemptAt = now + Backoff.Jittered(failed.Attempts);
                LogRouteFailed(logger, ex, failed.Message.UpdateId, failed.Message.ChatId, failed.Attempts);
                return queue[i..];
            }
        }

        return [];
    }

    /// <returns>True once the dead letter is stored (the user is told, best effort); false to keep it parked.</returns>
    private async Task<bool> GiveUpAsync(ParkedUpdate update, CancellationToken cancellationToken)
    {
        var message = update.Message;
        try
        {
            var session = Assistant.Sessions.SessionKey.Telegram(message.ChatId);
            if (!await deadLetters.AddAsync(session, message, update.Attempts, update.LastError ?? "unknown", DeadLetters.Stage.Delivery, update.NextAttemptAt, cancellationToken))
            {
                return true; // Given up before (and the user told); only the channel's write had failed.
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeadLetterFailed(logger, ex, message.UpdateId);
            return false;
        }

        counters.CountDeadLetter();
        LogGaveUp(logger, message.UpdateId, message.ChatId, update.Attempts, update.LastError ?? "unknown");
        try
        {
            await responder.NoticeAsync(TelegramTarget.For(message), TelegramCommands.Undeliverable(message.Text), cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogApologyFailed(logger, message.ChatId, ex.Message);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Update {UpdateId} ({Type}) is not for the bot")]
    private static partial void LogIgnored(ILogger logger, long updateId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Update {UpdateId} for chat {ChatId}: {Outcome}")]
    private static partial void LogRouted(ILogger logger, long updateId, long chatId, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Update {UpdateId} for chat {ChatId} could not be handed to its session (attempt {Attempt}); it waits and is tried again, the other chats go on")]
    private static partial void LogRouteFailed(ILogger logger, Exception exception, long updateId, long chatId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up on update {UpdateId} for chat {ChatId} after {Attempts} attempts ({Failure}); the user was told and it is a dead letter")]
    private static partial void LogGaveUp(ILogger logger, long updateId, long chatId, int attempts, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "Update {UpdateId} could not be stored as a dead letter; it stays parked")]
    private static partial void LogDeadLetterFailed(ILogger logger, Exception exception, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell chat {ChatId} that its message was given up: {Reason}")]
    private static partial void LogApologyFailed(ILogger logger, long chatId, string reason);
}
