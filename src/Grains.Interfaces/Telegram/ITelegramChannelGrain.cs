namespace Assistant.Telegram;

/// <summary>
/// The cluster's one Telegram channel owner (key 0): in polling mode the only poller (two
/// pollers on a token get 409 Conflict), in webhook mode the one that registers the webhook.
/// Kept running by every silo's keeper and by a reminder, so it comes back on another silo
/// when its silo is lost.
/// </summary>
[Alias("Assistant.Telegram.ITelegramChannelGrain")]
public interface ITelegramChannelGrain : IGrainWithIntegerKey
{
    [Alias("EnsureRunning")]
    Task EnsureRunningAsync();

    [Alias("GetStatus")]
    Task<TelegramChannelStatus> GetStatusAsync();

    /// <summary>
    /// Keeps an update whose session could not store it (webhook mode), to hand it over again with
    /// backoff and, failing that, to give it up as a dead letter. Returns once it is stored.
    /// </summary>
    [Alias("Park")]
    Task ParkAsync(TelegramIncoming message, string error);
}

[GenerateSerializer, Alias("Assistant.Telegram.TelegramState")]
public enum TelegramState
{
    Disabled,
    Initializing,
    Connected,
    Disconnected,
}

[GenerateSerializer, Immutable, Alias("Assistant.Telegram.TelegramChannelStatus")]
public sealed record class TelegramChannelStatus(
    [property: Id(0)] TelegramState State,
    [property: Id(1)] string Mode,
    [property: Id(2)] TelegramBotUser? Bot,
    [property: Id(3)] DateTimeOffset? InitializedAt,
    [property: Id(4)] DateTimeOffset? LastPollAt,
    [property: Id(5)] int? PendingUpdateCount,
    [property: Id(6)] string? LastError,
    [property: Id(7)] long StallRestarts,
    [property: Id(8)] string Silo,
    [property: Id(9)] long Offset,
    [property: Id(10)] int ParkedUpdates);

[GenerateSerializer, Immutable, Alias("Assistant.Telegram.TelegramBotUser")]
public sealed record class TelegramBotUser(
    [property: Id(0)] long Id,
    [property: Id(1)] string? Username,
    [property: Id(2)] string FirstName);

/// <summary>One silo's outbound counts and webhook deliveries.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Telegram.TelegramSiloCounters")]
public sealed record class TelegramSiloCounters(
    [property: Id(0)] string Silo,
    [property: Id(1)] long Sent,
    [property: Id(2)] long Edited,
    [property: Id(3)] long Failed,
    [property: Id(4)] long TooManyRequests,
    [property: Id(5)] DateTimeOffset? LastWebhookAt,
    [property: Id(6)] string? LastError,
    [property: Id(7)] DateTimeOffset? LastErrorAt,
    [property: Id(8)] long Overflowed,
    [property: Id(9)] long DeadLetters);
