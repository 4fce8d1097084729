using System.Net.Sockets;
using Telegram.Bot.Exceptions;

namespace Assistant.Telegram;

/// <summary>
/// Telegram answered 403: the user blocked the bot, or the bot was removed from the chat, or the
/// account is gone. The message does not name the chat (it reaches status pages); <see cref="ChatId"/> does.
/// </summary>
public sealed class ChatUnreachableException(long chatId, string reason)
    : Exception($"Telegram refuses messages to this chat: {reason}")
{
    public long ChatId { get; } = chatId;
}

/// <summary>The message to edit is gone (the user deleted it) or can no longer be edited.</summary>
public sealed class MessageNotEditableException(int messageId, string reason)
    : Exception($"Message {messageId} can't be edited: {reason}")
{
    public int MessageId { get; } = messageId;
}

/// <summary>
/// A sendMessage whose request was written but whose answer never came, twice: Telegram may have
/// created the message. The sender treats the message as delivered rather than send it a third time.
/// </summary>
public sealed class PossiblySentException(Exception inner)
    : Exception("The connection to Telegram failed after the message was sent; it may have arrived.", inner);

/// <summary>How Telegram's answers and network failures are told apart.</summary>
internal static class TelegramRefusals
{
    public static bool NotModified(ApiRequestException ex) =>
        ex.ErrorCode == 400 && ex.Message.Contains("message is not modified", StringComparison.OrdinalIgnoreCase);

    public static bool BadEntities(ApiRequestException ex) =>
        ex.ErrorCode == 400 && ex.Message.Contains("can't parse entities", StringComparison.OrdinalIgnoreCase);

    public static bool NotEditable(ApiRequestException ex) =>
        ex.ErrorCode == 400 && (ex.Message.Contains("message to edit not found", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("message can't be edited", StringComparison.OrdinalIgnoreCase));

    public static bool Network(Exception ex) => ex is RequestException or HttpRequestException;

    /// <summary>
    /// True when the failure happened before the request left this machine (no connection could be
    /// made), so sending again cannot create a second message. A reset, a timeout or a broken
    /// answer after the request was written may have been processed by Telegram.
    /// </summary>
    public static bool NeverSent(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
                    return true;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable or SocketError.HostUnreachable }:
                    return true;
            }
        }

        return false;
    }
}
