namespace Assistant.Telegram;

/// <summary>The bot's command names and the fixed texts it answers with (the commands themselves: <c>Sessions.Commands.ChatCommands</c>).</summary>
public static class TelegramCommands
{
    public const string Start = "/start";
    public const string Help = "/help";
    public const string Reset = "/reset";
    public const string Cancel = "/cancel";
    public const string Status = "/status";

    public const string NotAllowed = "Sorry, this assistant is private and your account is not on its list of allowed users.";
    public const string Banned = "Sorry, an administrator has stopped your account from using this assistant.";
    public const string SlowDown = "You are sending messages faster than I may answer them. Please slow down: wait a minute, then send your question again.";
    public static string AdminsOnly(string command) => $"Sorry, {command} is for the service's administrators.";
    public const string ResetDone = "Started a new conversation. What would you like to talk about?";
    public const string Cancelled = "Stopped the reply I was writing.";
    public const string NothingToCancel = "There's no reply in progress to cancel.";
    public const string Overflow = "I'm still working on your earlier messages. Please wait for my answers before sending more; I didn't read the messages you sent just now.";
    public const string Queued = "I'm busy right now; your message is queued and I'll answer it in turn.";
    public const string UnknownCommand = "I don't know that command. Send /help to see what I can do.";

    /// <summary>The command word without its bot suffix, lower case: <c>/Reset@MyBot now</c> gives <c>/reset</c>.</summary>
    public static string Name(string text)
    {
        var first = text.Split([' ', '\n'], 2)[0];
        var at = first.IndexOf('@', StringComparison.Ordinal);
        return (at < 0 ? first : first[..at]).ToLowerInvariant();
    }

    /// <summary>What follows the command word, trimmed: <c>/model big-one</c> gives <c>big-one</c>.</summary>
    public static string Argument(string text) => text.Split([' ', '\n'], 2) is [_, var rest] ? rest.Trim() : "";

    /// <summary>Told when a message was given up after every attempt failed.</summary>
    public static string Undeliverable(string text) =>
        $"Sorry, something went wrong on my side with your message{(text.Length == 0 ? "" : $" \"{(text.Length <= 40 ? text : text[..40] + "…")}\"")} and I had to give up on it. " +
        "It has been set aside for the operator; if you didn't get an answer, please send it again in a little while.";

    public static string Unsupported(TelegramContent content) => content switch
    {
        TelegramContent.Sticker => "Nice sticker! I can't read stickers, though — " + WhatIRead,
        TelegramContent.Video => "I can't watch videos or animations yet — " + WhatIRead,
        TelegramContent.Location => "Thanks, but I can't use locations yet — " + WhatIRead,
        _ => "I can't read this kind of message yet — " + WhatIRead,
    };

    /// <summary>The kinds of message the bot answers, for every "not this kind" reply.</summary>
    public const string WhatIRead = "send me text, a photo, a voice message, or a text file or PDF and I'll answer.";
}
