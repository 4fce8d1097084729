using System.Threading.Channels;
using Assistant.Telegram;

namespace Assistant.Sessions;

/// <summary>One message waiting for, or getting, its reply inside a session.</summary>
internal sealed class Turn
{
    private Turn(ChatRequest request, long acceptedAt, bool streaming, TelegramIncoming? telegram, bool resumed)
    {
        Request = request;
        AcceptedAt = acceptedAt;
        Telegram = telegram;
        Resumed = resumed;
        Events = streaming ? Channel.CreateUnbounded<ReplyEvent>(new() { SingleReader = true, SingleWriter = true }) : null;
    }

    /// <summary>Set for a Telegram message: its answer goes to the chat, nobody awaits the turn. Its inbox item holds the rest.</summary>
    public TelegramIncoming? Telegram { get; }

    /// <summary>A Telegram message that was being answered when the previous activation ended: that counts as a failed attempt.</summary>
    public bool Resumed { get; }

    /// <summary>What is asked; for a photo, voice note or document, set to the text the conversation keeps once it is read.</summary>
    public ChatRequest Request { get; set; }

    /// <summary>A photo, voice note or document once read (read once per turn; its bytes live only here, never in state).</summary>
    public Telegram.Media.MediaInput? Media { get; set; }

    /// <summary>The <see cref="TimeProvider"/> timestamp at which the session accepted the message.</summary>
    public long AcceptedAt { get; }

    public TaskCompletionSource<ChatReply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Events for a streaming caller; null when the caller waits for the whole reply.</summary>
    public Channel<ReplyEvent>? Events { get; }

    /// <summary>The user's /cancel, /reset, or a caller that went away.</summary>
    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>The model's answer once generated, so that a retry after a failed delivery or write does not ask again.</summary>
    public ExchangeResult? Generated { get; set; }

    /// <summary>Whether the answer reached Telegram, so that a retry after a failed write does not send it again.</summary>
    public bool Delivered { get; set; }

    /// <summary>The ids of the reply's messages sent so far, kept here as well as in the inbox: a retry edits them even when storing them failed.</summary>
    public List<int>? SentIds { get; set; }

    /// <summary>The conversation generation the turn started in: a reply that started before a reset is not recorded after it.</summary>
    public int? Generation { get; set; }

    /// <summary>For a command or notice: the text to send, decided once.</summary>
    public string? Notice { get; set; }

    /// <summary>Whether the user was told that the message waits its turn (while throttling), so a retry does not say it again.</summary>
    public bool QueuedNoticeSent { get; set; }

    /// <summary>Set while the turn waits for this silo's chat admission (throttling); a shutdown cancels it at once.</summary>
    public CancellationTokenSource? AdmissionWait { get; set; }

    /// <summary>
    /// The recording of what the turn's model calls cost (<see cref="Spending.TurnSpending.SettleAsync"/>):
    /// off the reply's path; the session does not wait for it before its next turn (until it ends the
    /// turn's hold stays), only before its activation ends. Never faults.
    /// </summary>
    public Task Settled { get; private set; } = Task.CompletedTask;

    /// <summary>What the Telegram sender may do, asked once per turn (<see cref="Access.UserAccounts"/>); null for HTTP turns.</summary>
    public Access.UserAccess? Access { get; set; }

    /// <summary>Failed attempts, counted even when storing the count failed.</summary>
    public int Attempts { get; set; }

    public static Turn ForApi(ChatRequest request, long acceptedAt, bool streaming) => new(request, acceptedAt, streaming, null, false);

    public static Turn ForTelegram(TelegramIncoming message, long acceptedAt, bool resumed) =>
        new(new ChatRequest(message.Text), acceptedAt, streaming: false, message, resumed);

    public void Settling(Task settle) => Settled = Settled.IsCompleted ? settle : Task.WhenAll(Settled, settle);

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
