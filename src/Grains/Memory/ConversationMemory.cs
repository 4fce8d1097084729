using Assistant.Sessions;

namespace Assistant.Memory;

/// <summary>
/// What a conversation keeps beyond its window, and the user's say over it: the summary of pruned
/// turns (<see cref="ConversationSummarizer"/>), the export (<see cref="ConversationExports"/>) and
/// the erasure on request (<see cref="ConversationErasure"/>), the user's notes (<see cref="UserNotes"/>).
/// The session and its commands reach them here.
/// </summary>
internal sealed class ConversationMemory(ConversationSummarizer summarizer, ConversationExports exports, ConversationErasure erasure, UserNotes notes)
{
    public UserNotes Notes => notes;

    public ConversationSummarizer Summaries => summarizer;

    public ConversationExports Exports => exports;

    public ConversationErasure Erasure => erasure;
}
