using Assistant.Storage;

namespace Assistant.Tasks;

/// <summary>The <c>server_tasks</c> table: background work as rows (pending, running, completed, failed).</summary>
public sealed class ServerTasks(Database database)
{
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
}
