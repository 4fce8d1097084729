using Assistant.Storage;

namespace Assistant.Telegram;

/// <summary>One Telegram message the service gave up on.</summary>
public sealed record DeadLetter(
    long Id,
    string SessionId,
    long UpdateId,
    long ChatId,
    long UserId,
    string Content,
    string Text,
    int Attempts,
    string Failure,
    string Stage,
    DateTimeOffset CreatedAt);

/// <summary>
/// The <c>telegram_dead_letters</c> table. <see cref="Stage"/> says where the message stopped:
/// <c>delivery</c> (the poller could not hand it to its session) or <c>answer</c> (the session could not answer it).
/// </summary>
public sealed class DeadLetters(Database database)
{
    /// <summary>What a message given up counts as among the errors by type.</summary>
    public const string ErrorType = "dead_letter";

    public static class Stage
    {
        public const string Delivery = "delivery";
        public const string Answer = "answer";
    }

    /// <returns>True when stored now; false when this update was given up before (once per session and update).</returns>
    public async Task<bool> AddAsync(string sessionId, TelegramIncoming message, int attempts, string failure, string stage, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("""
            INSERT INTO telegram_dead_letters (session_id, update_id, chat_id, user_id, content, text, attempts, failure, stage, created_at)
            VALUES (@session, @update, @chat, @user, @content, @text, @attempts, @failure, @stage, @at)
            ON CONFLICT (session_id, update_id) DO NOTHING
            """);
        return await command.With("session", sessionId).With("update", message.UpdateId).With("chat", message.ChatId).With("user", message.UserId)
            .With("content", message.Content.ToString().ToLowerInvariant()).With("text", message.Text).With("attempts", attempts)
            .With("failure", failure).With("stage", stage).With("at", at.UtcDateTime).ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Deletes the session's dead letters (an erasure on request); how many went.</summary>
    public async Task<int> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("DELETE FROM telegram_dead_letters WHERE session_id = @session");
        return await command.With("session", sessionId).ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT count(*) FROM telegram_dead_letters");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The newest first.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("""
            SELECT id, session_id, update_id, chat_id, user_id, content, text, attempts, failure, stage, created_at
            FROM telegram_dead_letters ORDER BY id DESC LIMIT @limit
            """);
        await using var reader = await command.With("limit", limit).ExecuteReaderAsync(cancellationToken);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(new DeadLetter(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetInt32(7),
                reader.GetString(8),
                reader.GetString(9),
                new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(10), DateTimeKind.Utc))));
        }

        return letters;
    }
}
