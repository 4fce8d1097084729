using Telegram.Bot.Exceptions;

namespace Assistant.Telegram;

/// <summary>Exponential backoff with jitter: 1 s, 2 s, 4 s ... up to 30 s, each between half and all of that.</summary>
public static class Backoff
{
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    public static TimeSpan Jittered(int failures, double baseSeconds = 1)
    {
        var ceiling = Math.Min(Max.TotalSeconds, baseSeconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30)));
        return TimeSpan.FromSeconds(ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    /// <summary>After a failed getUpdates: a 429's retry_after is waited out whole; 409 (another poller or a webhook) waits 5 s; anything else backs off with jitter up to 30 s.</summary>
    public static TimeSpan AfterPollFailure(int failures, Exception ex) =>
        ex is ApiRequestException { ErrorCode: 429, Parameters.RetryAfter: { } after } ? TimeSpan.FromSeconds(after)
        : ex is ApiRequestException { ErrorCode: 409 } ? TimeSpan.FromSeconds(5)
        : Jittered(failures, baseSeconds: 0.5);
}
