using Assistant.IntegrationTests.Infrastructure;
using Assistant.Tasks;
using Microsoft.Data.Sqlite;

namespace Assistant.IntegrationTests.Monitoring;

public sealed class TaskRetentionTests
{
    [Fact]
    public async Task The_daily_cleanup_deletes_only_completed_and_failed_rows_processed_over_a_week_ago()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory("retention"), "system.db");
        var database = await TestDatabase.MigratedSqliteAsync(path);
        var now = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var (type, status, processedDaysAgo) in new (string, string, double?)[]
            {
                ("old-completed", "completed", 8), ("old-failed", "failed", 30), ("recent-completed", "completed", 6.9),
                ("old-pending", "pending", null), ("old-running", "running", 10), ("recent-failed", "failed", 1),
            })
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO server_tasks (type, status, created_at, processed_at) VALUES (@type, @status, @created, @processed)";
                insert.Parameters.AddWithValue("type", type);
                insert.Parameters.AddWithValue("status", status);
                insert.Parameters.AddWithValue("created", now.AddDays(-40).UtcDateTime);
                insert.Parameters.AddWithValue("processed", processedDaysAgo is { } d ? now.AddDays(-d).UtcDateTime : DBNull.Value);
                await insert.ExecuteNonQueryAsync();
            }
        }

        var deleted = await new ServerTasks(database, TimeProvider.System).DeleteFinishedBeforeAsync(now.AddDays(-7));

        Assert.Equal(2, deleted);
        await using var check = new SqliteConnection($"Data Source={path};Pooling=False");
        await check.OpenAsync();
        await using var query = check.CreateCommand();
        query.CommandText = "SELECT type FROM server_tasks ORDER BY type";
        var left = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            left.Add(reader.GetString(0));
        }

        Assert.Equal(["old-pending", "old-running", "recent-completed", "recent-failed"], left);
    }
}
