using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Assistant.Fakes.Telegram;

namespace Assistant.LoadDriver;

/// <summary>One message and its answer, as <see cref="Stopwatch"/> timestamps.</summary>
internal readonly record struct Exchange(long Sent, long Answered)
{
    public double Milliseconds => Stopwatch.GetElapsedTime(Sent, Answered).TotalMilliseconds;
}

/// <summary>Private chats with the bot on the fake Bot API; each exchange waits for the reply that echoes its message.</summary>
internal sealed class TelegramChats
{
    private readonly FakeTelegramServer _telegram;
    private readonly ConcurrentDictionary<long, (string Expected, TaskCompletionSource<long> Done)> _waiting = new();
    private long _next = 1;
    private long _sent;

    public TelegramChats(FakeTelegramServer telegram)
    {
        _telegram = telegram;
        telegram.BotMessageChanged += (message, text) =>
        {
            if (_waiting.TryGetValue(message.ChatId, out var wait) && text == wait.Expected)
            {
                wait.Done.TrySetResult(Stopwatch.GetTimestamp());
            }
        };
    }

    /// <summary>Chats no earlier run has used, so each run starts from fresh sessions.</summary>
    public List<long> Take(int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => _next + i).ToList();
        _next += count;
        return ids;
    }

    /// <summary>The user writes; completes when the fake Bot API has received the complete reply.</summary>
    public Task<Exchange> ExchangeAsync(long chat)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"message {Interlocked.Increment(ref _sent)} in chat {chat}");
        return ExchangeAsync(chat, $"Echo: {text}", () => _telegram.SendUserMessage(chat, chat, text));
    }

    /// <summary><paramref name="send"/> puts the user's message on the fake Bot API; completes when the bot's message reads <paramref name="reply"/>.</summary>
    public async Task<Exchange> ExchangeAsync(long chat, string reply, Action send)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[chat] = (reply, done);
        var sent = Stopwatch.GetTimestamp();
        send();
        return new Exchange(sent, await done.Task.WaitAsync(TimeSpan.FromMinutes(3)));
    }
}
