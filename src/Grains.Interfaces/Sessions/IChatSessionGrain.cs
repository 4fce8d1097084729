using Orleans.Concurrency;

namespace Assistant.Sessions;

/// <summary>
/// One conversation, keyed <c>tg:&lt;chat id&gt;</c> for a Telegram chat or <c>api:&lt;id&gt;</c> for a
/// session of the HTTP API (<see cref="SessionKey"/>). It holds the context window, answers one message at a time in arrival order,
/// and persists after every completed exchange. Calls that change the session run one at a time;
/// those marked <see cref="AlwaysInterleaveAttribute"/> (asking, which only queues and then waits for
/// its turn; cancelling; reading; the recovery sweep's resume) get through at any moment.
/// </summary>
[Alias("Assistant.Sessions.IChatSessionGrain")]
public interface IChatSessionGrain : IGrainWithStringKey
{
    /// <summary>Queues the message and returns the whole reply once it is complete.</summary>
    [Alias("Ask"), AlwaysInterleave]
    Task<ChatReply> AskAsync(ChatRequest request);

    /// <summary>Queues the message and yields the reply as the model writes it, ending with a completion or failure event.</summary>
    [Alias("AskStreaming"), AlwaysInterleave]
    IAsyncEnumerable<ReplyEvent> AskStreamingAsync(ChatRequest request);

    /// <summary>
    /// Hands over a Telegram message. Returns once the message is stored (so the poller may
    /// confirm the update); the reply is sent to the chat afterwards. A redelivered update is
    /// recognised by its update id and ignored.
    /// </summary>
    [Alias("Deliver")]
    Task<Assistant.Telegram.DeliveryOutcome> DeliverAsync(Assistant.Telegram.TelegramIncoming message);

    /// <summary>
    /// Answers accepted Telegram messages left unanswered, for instance after the session's silo
    /// was lost; returns how many wait. With none, the session's recovery mark is cleared.
    /// </summary>
    [Alias("ResumeInbox"), AlwaysInterleave]
    Task<int> ResumeAsync();

    [Alias("Get"), AlwaysInterleave]
    Task<SessionView> GetAsync();

    /// <summary>The chat's model and persona, and the ones it may choose.</summary>
    [Alias("GetSettings"), AlwaysInterleave]
    Task<ChatSettingsView> GetSettingsAsync();

    /// <summary>Chooses the chat's model and/or persona (stored with the conversation); an unknown name is an <see cref="ArgumentException"/> that names the choices, and changes nothing.</summary>
    [Alias("SetSettings")]
    Task<ChatSettingsView> SetSettingsAsync(ChatSettingsChange change);

    /// <summary>Starts a new conversation: cancels the reply in progress and clears the context (statistics are kept).</summary>
    [Alias("Reset")]
    Task ResetAsync();

    /// <summary>The conversation as Markdown: summary, messages and the session's notes (<c>GET /sessions/{id}/export</c>).</summary>
    [Alias("Export"), AlwaysInterleave]
    Task<string> ExportAsync();

    /// <summary>Erases everything kept for the session: conversation, summary, notes, settings, statistics (<c>DELETE /sessions/{id}?erase=all</c>).</summary>
    [Alias("Erase")]
    Task<Assistant.Memory.ErasureReport> EraseAsync();

    /// <summary>Stops the reply in progress, if any; queued messages are still answered.</summary>
    [Alias("Cancel"), AlwaysInterleave]
    Task<bool> CancelAsync();

    /// <summary>Prunes the context window now (the ResourceMonitor calls this under memory pressure).</summary>
    [Alias("ForceOptimization")]
    Task<PruneResult> ForceOptimizationAsync();

    /// <summary>Clears the persisted context when the session has been inactive at least <paramref name="inactivity"/>.</summary>
    [Alias("ClearIfInactive")]
    Task<bool> ClearIfInactiveAsync(TimeSpan inactivity);

    /// <summary>Deactivates the session when it has been idle at least <paramref name="idle"/> and is not replying.</summary>
    [Alias("DeactivateIfIdle")]
    Task<bool> DeactivateIfIdleAsync(TimeSpan idle);
}
