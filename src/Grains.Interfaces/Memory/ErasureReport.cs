namespace Assistant.Memory;

/// <summary>What an erasure on request removed (<c>/deletemydata confirm</c>, <c>DELETE /sessions/{id}?erase=all</c>).</summary>
/// <param name="Messages">Messages of the conversation, pruned ones awaiting a summary included.</param>
/// <param name="Summary">Whether there was a summary of the earlier conversation.</param>
/// <param name="Notes">Notes kept about the user (or the HTTP session).</param>
/// <param name="Waiting">Telegram messages accepted and not yet answered, dropped unanswered.</param>
/// <param name="DeadLetters">Messages the service had given up on, kept for operators.</param>
/// <param name="DirectoryRow">Whether the session's index row was deleted; false when a message still waited, so it stayed (it carries the recovery mark) with its figures reset.</param>
/// <param name="FileCheckpointed">On SQLite, whether the write-ahead log was emptied into the file at once (else at the next checkpoint); true on PostgreSQL.</param>
[GenerateSerializer, Immutable, Alias("Assistant.Memory.ErasureReport")]
public sealed record class ErasureReport(
    [property: Id(0)] int Messages,
    [property: Id(1)] bool Summary,
    [property: Id(2)] int Notes,
    [property: Id(3)] int Waiting,
    [property: Id(4)] int DeadLetters,
    [property: Id(5)] bool DirectoryRow,
    [property: Id(6)] bool FileCheckpointed)
{
    /// <summary>The report in words, for the user who asked.</summary>
    public string Describe() =>
        $"Erased: {Messages} messages, {(Summary ? "the summary of the earlier conversation, " : "")}{Notes} notes about you, " +
        $"{Waiting} messages that were waiting, {DeadLetters} undeliverable messages kept for operators, and this chat's settings and statistics. " +
        "Your next message starts a fresh conversation.";
}
