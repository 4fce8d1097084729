using System.Globalization;

namespace Assistant.Sessions;

/// <summary>
/// The two key spaces of <see cref="IChatSessionGrain"/>: <c>api:&lt;id&gt;</c> for sessions of the
/// HTTP API (the id its caller chose) and <c>tg:&lt;chat id&gt;</c> for Telegram chats. The sessions
/// API only ever builds <c>api:</c> keys, so no id a caller sends reaches a Telegram conversation.
/// </summary>
public static class SessionKey
{
    public const string ApiPrefix = "api:";
    public const string TelegramPrefix = "tg:";

    public static string Api(string id) => ApiPrefix + id;

    public static string Telegram(long chatId) => TelegramPrefix + chatId.ToString(CultureInfo.InvariantCulture);

    public static bool IsApi(string key) => key.StartsWith(ApiPrefix, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="key"/> is a Telegram chat's key, and which chat.</summary>
    public static bool IsTelegram(string key, out long chatId)
    {
        chatId = 0;
        return key.StartsWith(TelegramPrefix, StringComparison.Ordinal)
            && long.TryParse(key.AsSpan(TelegramPrefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out chatId);
    }

    /// <summary>Null when the key is in one of the two spaces, otherwise why not.</summary>
    public static string? Check(string key) =>
        IsApi(key) || IsTelegram(key, out _)
            ? null
            : $"'{key}' is not a session key: keys are '{ApiPrefix}<id>' for the HTTP API or '{TelegramPrefix}<chat id>' for Telegram.";
}
