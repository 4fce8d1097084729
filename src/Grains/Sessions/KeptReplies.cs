using System.Security.Cryptography;
using System.Text;

namespace Assistant.Sessions;

/// <summary>
/// Replies to HTTP messages sent with an <c>Idempotency-Key</c>, kept in the conversation's state and
/// written in the same commit as the exchange they answer: a repeat of the key within
/// <see cref="Window"/> gets the first reply, and the model is not asked again. Only answers are kept
/// (a failed exchange can be tried again with the same key); at most <see cref="Limit"/> per session,
/// the oldest dropped first, since each is written with every exchange; a reset or a cleared context
/// drops them with the messages. The message is kept as a fingerprint, so that a key reused for a
/// different message is refused rather than answered with the wrong reply.
/// </summary>
public static class KeptReplies
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    public const int Limit = 20;

    public const int MaxKeyLength = 255;

    /// <summary>Why <paramref name="key"/> is not a usable key, or null when it is.</summary>
    public static string? Check(string key) =>
        key.Length is 0 or > MaxKeyLength || key.Any(c => c is < '!' or > '~')
            ? $"The Idempotency-Key header must be 1 to {MaxKeyLength} visible ASCII characters (no spaces); was {key.Length} characters."
            : null;

    public static string Fingerprint(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.Trim())), 0, 16);

    /// <summary>The reply kept for this key within the window; throws when the key was used for another message.</summary>
    public static ChatReply? Find(ChatSessionState state, string key, string fingerprint, DateTimeOffset now)
    {
        if (state.KeptReplies.Find(k => k.Key == key && now - k.At < Window) is not { } kept)
        {
            return null;
        }

        return kept.Fingerprint == fingerprint ? kept.Reply : throw Reused(key);
    }

    public static IdempotencyKeyReusedException Reused(string key) =>
        new($"The Idempotency-Key '{key}' was already used for a different message in this session; use a new key for a new message.");

    /// <summary>Keeps <paramref name="reply"/> under <paramref name="key"/>, dropping what is older than the window or beyond the limit.</summary>
    public static void Keep(ChatSessionState state, string key, string fingerprint, ChatReply reply, DateTimeOffset now)
    {
        state.KeptReplies.RemoveAll(k => k.Key == key || now - k.At >= Window);
        state.KeptReplies.Add(new KeptReply { Key = key, Fingerprint = fingerprint, Reply = reply, At = now });
        if (state.KeptReplies.Count > Limit)
        {
            state.KeptReplies.RemoveRange(0, state.KeptReplies.Count - Limit);
        }
    }
}

/// <summary>A reply kept under its <c>Idempotency-Key</c>.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.KeptReply")]
public sealed class KeptReply
{
    [Id(0)]
    public string Key { get; set; } = "";

    [Id(1)]
    public string Fingerprint { get; set; } = "";

    [Id(2)]
    public ChatReply Reply { get; set; } = null!;

    [Id(3)]
    public DateTimeOffset At { get; set; }
}
