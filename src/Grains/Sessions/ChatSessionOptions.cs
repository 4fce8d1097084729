namespace Assistant.Sessions;

/// <summary>Conversations and their limits. Section <c>Sessions</c>.</summary>
public sealed class ChatSessionOptions
{
    public const string Section = "Sessions";

    /// <summary>The system prompt every conversation starts from.</summary>
    public string SystemPrompt { get; set; } =
        "You are a helpful assistant talking to people in Telegram. Answer clearly and concisely. " +
        "When asked about the time or about this service's health, use the tools you have.";

    /// <summary>Messages kept in the context window (the system prompt is extra). Default 100.</summary>
    public int MaxContextMessages { get; set; } = 100;

    /// <summary>Estimated tokens the context window may hold, system prompt included. Default 16,000.</summary>
    public int MaxContextTokens { get; set; } = 16_000;

    /// <summary>Messages kept when the ResourceMonitor forces an optimisation under pressure. Default 50.</summary>
    public int PressureContextMessages { get; set; } = 50;

    /// <summary>Longest message accepted, in characters. Default 16,000.</summary>
    public int MaxMessageChars { get; set; } = 16_000;

    /// <summary>Longest session id accepted, in characters. Default 128.</summary>
    public int MaxSessionIdLength { get; set; } = 128;

    /// <summary>Messages that may wait behind the reply in progress before new ones are refused. Default 20.</summary>
    public int MaxQueuedMessages { get; set; } = 20;

    /// <summary>
    /// Active sessions the cluster serves at most (0: no cap). A conversation that is not active when
    /// its message arrives is turned away politely past it; active ones go on. An admin changes it at
    /// run time with <c>POST /sessions/limit</c>. Default 0.
    /// </summary>
    public int MaxActive { get; set; }

    /// <summary>Minutes without a call after which a session's activation is collected. Default 15.</summary>
    public double IdleMinutes { get; set; } = 15;

    /// <summary>Hours without a message after which the cleanup cycle clears a session's context. Default 24.</summary>
    public double InactiveContextHours { get; set; } = 24;

    /// <summary>
    /// Whether turns pruned from the window are summarised by the model (<c>AI:SummaryModel</c>) and
    /// the summary sent at the head of every later request. Default true (not with the offline provider).
    /// </summary>
    public bool Summaries { get; set; } = true;

    /// <summary>Notes the model may keep for one user (its <c>remember</c> tool); 0 turns notes off. Default 50.</summary>
    public int MaxNotes { get; set; } = 50;

    /// <summary>
    /// Seconds a silo uses its copy of a user's notes before reading them again (0: read every turn).
    /// A change made through the silo is seen at once; one made on another silo within this time. Default 30.
    /// </summary>
    public double NotesCacheSeconds { get; set; } = 30;

    /// <summary>The longest note, in characters. Default 300.</summary>
    public int MaxNoteChars { get; set; } = 300;

    /// <summary>
    /// Pruned messages that wait before a summary is made (or a quarter of <see cref="MaxContextTokens"/>
    /// of them, whichever comes first; at most <see cref="PressureContextMessages"/>): one summary request
    /// per batch, not one per pruned turn. Default 20.
    /// </summary>
    public int SummaryBatchMessages { get; set; } = 20;

    /// <summary>The longest summary, in estimated tokens (asked of the model as its output limit, and cut there). Default 500.</summary>
    public int MaxSummaryTokens { get; set; } = 500;
}
