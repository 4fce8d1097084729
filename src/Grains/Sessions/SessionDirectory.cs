using Assistant.Storage;

namespace Assistant.Sessions;

/// <summary>The <c>chat_sessions</c> index: which conversations exist and when each was last active.</summary>
public sealed class SessionDirectory(Database database)
{
    public async Task TouchAsync(string sessionId, DateTimeOffset createdAt, DateTimeOffset lastActiveAt, int messageCount, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("""
            INSERT INTO chat_sessions (session_id, created_at, last_active_at, message_count)
            VALUES (@id, @created, @active, @count)
            ON CONFLICT (session_id) DO UPDATE SET
                last_active_at = excluded.last_active_at,
                message_count = excluded.message_count,
                context_cleared_at = CASE WHEN excluded.message_count > 0 THEN NULL ELSE chat_sessions.context_cleared_at END
            """);
        await command.With("id", sessionId).With("created", createdAt.UtcDateTime).With("active", lastActiveAt.UtcDateTime)
            .With("count", messageCount).ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Sessions with a context whose last message is older than <paramref name="cutoff"/>, oldest first.</summary>
    public async Task<IReadOnlyList<string>> FindInactiveAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("""
            SELECT session_id FROM chat_sessions
            WHERE message_count > 0 AND last_active_at < @cutoff
            ORDER BY last_active_at
            LIMIT @limit
            """);
        await using var reader = await command.With("cutoff", cutoff.UtcDateTime).With("limit", limit).ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async Task MarkClearedAsync(string sessionId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "UPDATE chat_sessions SET message_count = 0, context_cleared_at = @at WHERE session_id = @id");
        await command.With("id", sessionId).With("at", at.UtcDateTime).ExecuteNonQueryAsync(cancellationToken);
    }
}
