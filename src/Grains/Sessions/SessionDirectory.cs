using System.Data.Common;
using Assistant.Storage;

namespace Assistant.Sessions;

/// <summary>
/// The <c>chat_sessions</c> index: which conversations exist, when each was last active, and which
/// hold Telegram messages waiting (the recovery mark). The writes every message makes go through
/// <see cref="GroupCommit"/>: under a burst, many sessions' rows share one commit.
/// </summary>
public sealed class SessionDirectory(Database database, GroupCommit group)
{
    /// <summary>Writes a row made by <see cref="Touch"/> in the next group commit.</summary>
    public Task TouchAsync(Func<DbConnection, DbTransaction, Task> row) => group.RunAsync(row);

    /// <summary>
    /// A conversation's row after an exchange, as a statement: written on its own
    /// (<see cref="TouchAsync"/>) or in the transaction of a Telegram answer
    /// (<see cref="SessionLedger.FinishTelegramAsync"/>). The recovery mark (<c>pending_since</c>)
    /// is not this row's: it is written only with the chat's delivery record (<see cref="SetPendingAsync"/>).
    /// </summary>
    public static Func<DbConnection, DbTransaction, Task> Touch(string sessionId, DateTimeOffset createdAt, DateTimeOffset lastActiveAt, int messageCount) =>
        async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand("""
                INSERT INTO chat_sessions (session_id, created_at, last_active_at, message_count)
                VALUES (@id, @created, @active, @count)
                ON CONFLICT (session_id) DO UPDATE SET
                    last_active_at = excluded.last_active_at,
                    message_count = excluded.message_count,
                    context_cleared_at = CASE WHEN excluded.message_count > 0 THEN NULL ELSE chat_sessions.context_cleared_at END
                """, transaction).With("id", sessionId).With("created", createdAt.UtcDateTime).With("active", lastActiveAt.UtcDateTime).With("count", messageCount);
            await command.ExecuteNonQueryAsync();
        };

    /// <summary>
    /// The chat's recovery mark, as a statement of the transaction that writes its delivery record
    /// (<see cref="InboxPendingMark"/>): when its oldest waiting message was accepted, or null when
    /// none waits. Exactly what that record says, so the mark is never older or newer than it.
    /// </summary>
    internal static async Task SetPendingAsync(DbConnection connection, DbTransaction transaction, string sessionId, DateTimeOffset? since)
    {
        await using var command = since is { } at
            ? connection.CreateCommand("""
                INSERT INTO chat_sessions (session_id, created_at, last_active_at, message_count, pending_since)
                VALUES (@id, @since, @since, 0, @since)
                ON CONFLICT (session_id) DO UPDATE SET pending_since = excluded.pending_since
                WHERE chat_sessions.pending_since IS NULL OR chat_sessions.pending_since <> excluded.pending_since
                """, transaction).With("id", sessionId).With("since", at.UtcDateTime)
            : connection.CreateCommand(
                "UPDATE chat_sessions SET pending_since = NULL WHERE session_id = @id AND pending_since IS NOT NULL", transaction).With("id", sessionId);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Sessions holding Telegram messages accepted before <paramref name="before"/> and still unanswered.</summary>
    public async Task<IReadOnlyList<string>> FindPendingAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("""
            SELECT session_id FROM chat_sessions
            WHERE pending_since IS NOT NULL AND pending_since < @before AND session_id NOT LIKE 'legacy:%'
            ORDER BY pending_since
            LIMIT @limit
            """);
        await using var reader = await command.With("before", before.UtcDateTime).With("limit", limit).ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>
    /// Marks up to <paramref name="limit"/> sessions whose last message is older than
    /// <paramref name="cutoff"/> (oldest first, none with an unanswered Telegram message) as cleared
    /// at <paramref name="at"/>, in one statement, and returns their ids. Nothing is activated: a
    /// session active now is told by its silo; a dormant one clears its context when it next
    /// activates (<see cref="ClearedAtAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<string>> ClearInactiveAsync(DateTimeOffset cutoff, int limit, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("""
            UPDATE chat_sessions SET message_count = 0, context_cleared_at = @at
            WHERE session_id IN (
                SELECT session_id FROM chat_sessions
                WHERE message_count > 0 AND last_active_at < @cutoff AND pending_since IS NULL AND session_id NOT LIKE 'legacy:%'
                ORDER BY last_active_at
                LIMIT @limit)
            RETURNING session_id
            """);
        await using var reader = await command.With("cutoff", cutoff.UtcDateTime).With("limit", limit).With("at", at.UtcDateTime).ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>When the cleanup last cleared this session's context, if it did and nothing was said since.</summary>
    public async Task<DateTimeOffset?> ClearedAtAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT context_cleared_at FROM chat_sessions WHERE session_id = @id");
        var value = await command.With("id", sessionId).ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? null : new DateTimeOffset(DateTime.SpecifyKind(Convert.ToDateTime(value, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc));
    }

    /// <summary>Deletes the session's index row (an erasure on request); whether there was one.</summary>
    public async Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("DELETE FROM chat_sessions WHERE session_id = @id");
        return await command.With("id", sessionId).ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Resets the figures of the session's index row to a new conversation's (an erasure while a message waits), leaving its recovery mark.</summary>
    public async Task ResetFiguresAsync(string sessionId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "UPDATE chat_sessions SET created_at = @at, last_active_at = @at, message_count = 0, context_cleared_at = NULL WHERE session_id = @id");
        await command.With("id", sessionId).With("at", at.UtcDateTime).ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkClearedAsync(string sessionId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "UPDATE chat_sessions SET message_count = 0, context_cleared_at = @at WHERE session_id = @id");
        await command.With("id", sessionId).With("at", at.UtcDateTime).ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Sessions stored before the key spaces, by their old keys, after <paramref name="after"/> in
    /// key order: migration 0008 renamed their rows <c>legacy:&lt;old key&gt;</c>; each row goes
    /// when its conversation has moved (<see cref="LegacySessionGrain"/>).
    /// </summary>
    public async Task<IReadOnlyList<string>> FindLegacyAsync(string? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand($"SELECT session_id FROM chat_sessions WHERE session_id LIKE '{LegacyPrefix}%' AND session_id > @after ORDER BY session_id LIMIT @limit");
        await using var reader = await command.With("after", after is null ? LegacyPrefix : LegacyKey(after)).With("limit", limit).ExecuteReaderAsync(cancellationToken);
        var keys = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(reader.GetString(0)[LegacyPrefix.Length..]);
        }

        return keys;
    }

    public async Task<bool> LegacyExistsAsync(string legacyKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT count(*) FROM chat_sessions WHERE session_id = @id");
        return Convert.ToInt64(await command.With("id", LegacyKey(legacyKey)).ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public async Task DeleteLegacyAsync(string legacyKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("DELETE FROM chat_sessions WHERE session_id = @id");
        await command.With("id", LegacyKey(legacyKey)).ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The index row of a conversation stored under <paramref name="legacyKey"/> before the key spaces.</summary>
    public static string LegacyKey(string legacyKey) => LegacyPrefix + legacyKey;

    private const string LegacyPrefix = "legacy:";
}
