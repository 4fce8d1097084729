using System.Data.Common;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Tasks;

/// <summary>The <c>server_tasks</c> table: background work as rows (pending, running, completed, failed).</summary>
public sealed class ServerTasks(Database database, [FromKeyedServices(Clock.Key)] TimeProvider time)
{
    private const string Columns = "id, type, status, payload, result, error, attempts, created_at, started_at, processed_at";

    // The deferral table's columns (task_id, deferred) share no name with server_tasks', so Columns needs no prefix here.
    private const string Select = $"SELECT {Columns}, d.deferred FROM server_tasks t LEFT JOIN server_task_deferrals d ON d.task_id = t.id";

    public async Task<long> EnqueueAsync(string type, string? payload = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "INSERT INTO server_tasks (type, status, payload, created_at) VALUES (@type, 'pending', @payload, @now) RETURNING id");
        var id = await command.With("type", type).With("payload", payload).With("now", Now()).ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Records work done outside the runner (the maintenance command line) as a finished row.</summary>
    public async Task<long> RecordAsync(string type, bool succeeded, string? result, string? error, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("""
            INSERT INTO server_tasks (type, status, result, error, attempts, created_at, started_at, processed_at)
            VALUES (@type, @status, @result, @error, 1, @now, @now, @now) RETURNING id
            """);
        var id = await command.With("type", type).With("status", succeeded ? ServerTask.Completed : ServerTask.Failed)
            .With("result", result).With("error", error).With("now", Now()).ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The pending task to run next: normal priority before low, oldest first; null when there is none.</summary>
    public async Task<ServerTask?> NextPendingAsync(CancellationToken cancellationToken = default)
    {
        var pending = await QueryAsync($"{Select} WHERE t.status = 'pending' ORDER BY t.id", null, cancellationToken);
        return pending.FirstOrDefault(t => t.Priority == ServerTask.Normal) ?? pending.FirstOrDefault();
    }

    /// <summary>
    /// Marks the pending task <paramref name="id"/> running and returns it, with
    /// <paramref name="deferred"/> (how long it waited, or null when it did not); null when it is no
    /// longer pending. The claim is one statement; the note after it is best effort, so a failed
    /// note never leaves a claimed task behind.
    /// </summary>
    public async Task<ServerTask?> ClaimAsync(long id, string? deferred, CancellationToken cancellationToken = default)
    {
        ServerTask claimed;
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand($"""
            UPDATE server_tasks SET status = 'running', started_at = @now, attempts = attempts + 1
            WHERE id = @id AND status = 'pending'
            RETURNING {Columns}, CAST(NULL AS TEXT)
            """))
        await using (var reader = await command.With("now", Now()).With("id", id).ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            claimed = Read(reader) with { Deferred = deferred };
        }

        try
        {
            await (deferred is null ? ForgetDeferralAsync(id, cancellationToken) : NoteDeferredAsync(id, deferred, cancellationToken));
        }
        catch (DbException)
        {
            // Only the note is missing from /tasks; the task runs.
        }

        return claimed;
    }

    /// <summary>Records why task <paramref name="id"/> waits (or how long it waited), for <c>/tasks</c>.</summary>
    public async Task NoteDeferredAsync(long id, string deferred, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("""
            INSERT INTO server_task_deferrals (task_id, deferred) VALUES (@id, @deferred)
            ON CONFLICT (task_id) DO UPDATE SET deferred = excluded.deferred
            """);
        await command.With("id", id).With("deferred", deferred).ExecuteNonQueryAsync(cancellationToken);
    }

    public Task CompleteAsync(long id, string? result, CancellationToken cancellationToken = default) =>
        FinishAsync(id, ServerTask.Completed, result, null, cancellationToken);

    public Task FailAsync(long id, string error, CancellationToken cancellationToken = default) =>
        FinishAsync(id, ServerTask.Failed, null, error, cancellationToken);

    /// <summary>
    /// Tasks left running by a crash: back to pending while they have attempts left, otherwise failed.
    /// Returns (retried, failed).
    /// </summary>
    public async Task<(int Retried, int Failed)> RecoverInterruptedAsync(int maxAttempts, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var retry = connection.CreateCommand(
            "UPDATE server_tasks SET status = 'pending', started_at = NULL WHERE status = 'running' AND attempts < @max");
        var retried = await retry.With("max", maxAttempts).ExecuteNonQueryAsync(cancellationToken);
        await using var fail = connection.CreateCommand("""
            UPDATE server_tasks SET status = 'failed', processed_at = @now,
                error = 'Interrupted by a silo restart or crash after ' || attempts || ' attempts.'
            WHERE status = 'running'
            """);
        var failed = await fail.With("now", Now()).ExecuteNonQueryAsync(cancellationToken);
        await using var notes = connection.CreateCommand(
            "DELETE FROM server_task_deferrals WHERE task_id IN (SELECT id FROM server_tasks WHERE status = 'pending')");
        await notes.ExecuteNonQueryAsync(cancellationToken); // a retried task waits afresh
        return (retried, failed);
    }

    public async Task<ServerTask?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"{Select} WHERE t.id = @id", c => c.With("id", id), cancellationToken)).SingleOrDefault();

    /// <summary>The newest tasks first, optionally of one status.</summary>
    public async Task<IReadOnlyList<ServerTask>> ListAsync(string? status, int limit, CancellationToken cancellationToken = default) =>
        await QueryAsync(
            $"{Select} {(status is null ? "" : "WHERE t.status = @status")} ORDER BY t.id DESC LIMIT @limit",
            c => (status is null ? c : c.With("status", status)).With("limit", limit),
            cancellationToken);

    /// <summary>Deletes completed and failed rows processed before <paramref name="cutoff"/>; returns how many went.</summary>
    public async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("""
            DELETE FROM server_tasks
            WHERE status IN ('completed', 'failed')
              AND processed_at IS NOT NULL
              AND processed_at < @cutoff
            """);
        var deleted = await command.With("cutoff", cutoff.UtcDateTime).ExecuteNonQueryAsync(cancellationToken);
        await using var orphans = connection.CreateCommand("DELETE FROM server_task_deferrals WHERE task_id NOT IN (SELECT id FROM server_tasks)");
        await orphans.ExecuteNonQueryAsync(cancellationToken);
        return deleted;
    }

    private async Task ForgetDeferralAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("DELETE FROM server_task_deferrals WHERE task_id = @id");
        await command.With("id", id).ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<List<ServerTask>> QueryAsync(string sql, Func<DbCommand, DbCommand>? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(sql);
        parameters?.Invoke(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tasks = new List<ServerTask>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tasks.Add(Read(reader));
        }

        return tasks;
    }

    private async Task FinishAsync(long id, string status, string? result, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "UPDATE server_tasks SET status = @status, result = @result, error = @error, processed_at = @now WHERE id = @id");
        await command.With("status", status).With("result", result).With("error", error).With("now", Now()).With("id", id)
            .ExecuteNonQueryAsync(cancellationToken);
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    private static ServerTask Read(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.GetInt32(6),
        Utc(r.GetDateTime(7)),
        r.IsDBNull(8) ? null : Utc(r.GetDateTime(8)),
        r.IsDBNull(9) ? null : Utc(r.GetDateTime(9)),
        r.IsDBNull(10) ? null : r.GetString(10));

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
