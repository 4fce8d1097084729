using System.Data.Common;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Tasks;

/// <summary>The <c>server_tasks</c> table: background work as rows (pending, running, completed, failed).</summary>
public sealed class ServerTasks(Database database, [FromKeyedServices(Clock.Key)] TimeProvider time)
{
    private const string Columns = "id, type, status, payload, result, error, attempts, created_at, started_at, processed_at";

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

    /// <summary>Marks the oldest pending task running and returns it; null when there is none.</summary>
    public async Task<ServerTask?> ClaimNextAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand($"""
            UPDATE server_tasks SET status = 'running', started_at = @now, attempts = attempts + 1
            WHERE id = (SELECT id FROM server_tasks WHERE status = 'pending' ORDER BY id LIMIT 1) AND status = 'pending'
            RETURNING {Columns}
            """);
        await using var reader = await command.With("now", Now()).ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
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
        return (retried, failed);
    }

    public async Task<ServerTask?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand($"SELECT {Columns} FROM server_tasks WHERE id = @id");
        await using var reader = await command.With("id", id).ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>The newest tasks first, optionally of one status.</summary>
    public async Task<IReadOnlyList<ServerTask>> ListAsync(string? status, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var filter = status is null ? "" : "WHERE status = @status";
        await using var command = connection.CreateCommand($"SELECT {Columns} FROM server_tasks {filter} ORDER BY id DESC LIMIT @limit");
        if (status is not null)
        {
            command.With("status", status);
        }

        await using var reader = await command.With("limit", limit).ExecuteReaderAsync(cancellationToken);
        var tasks = new List<ServerTask>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tasks.Add(Read(reader));
        }

        return tasks;
    }

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
        return await command.With("cutoff", cutoff.UtcDateTime).ExecuteNonQueryAsync(cancellationToken);
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
        r.IsDBNull(9) ? null : Utc(r.GetDateTime(9)));

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
