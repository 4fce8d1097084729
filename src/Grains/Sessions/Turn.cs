using System.Threading.Channels;

namespace Assistant.Sessions;

/// <summary>One message waiting for, or getting, its reply inside a session.</summary>
internal sealed class Turn(ChatRequest request, long acceptedAt, bool streaming, TelegramInboxItem? telegram = null)
{
    /// <summary>Set for a Telegram message: its answer goes to the chat, nobody awaits the turn.</summary>
    public TelegramInboxItem? Telegram { get; } = telegram;

    public ChatRequest Request { get; } = request;

    /// <summary>The <see cref="TimeProvider"/> timestamp at which the session accepted the message.</summary>
    public long AcceptedAt { get; } = acceptedAt;

    public TaskCompletionSource<ChatReply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Events for a streaming caller; null when the caller waits for the whole reply.</summary>
    public Channel<ReplyEvent>? Events { get; } = streaming ? Channel.CreateUnbounded<ReplyEvent>(new() { SingleReader = true, SingleWriter = true }) : null;

    public CancellationTokenSource Cancellation { get; } = new();

    public void Publish(string delta) => Events?.Writer.TryWrite(ReplyEvent.Delta(delta));

    public void Complete(ChatReply reply)
    {
        Events?.Writer.TryWrite(ReplyEvent.Completed(reply));
        Events?.Writer.TryComplete();
        Completion.TrySetResult(reply);
    }

    public void Fail(Exception exception)
    {
        Events?.Writer.TryComplete(exception);
        Completion.TrySetException(exception);
    }
}
