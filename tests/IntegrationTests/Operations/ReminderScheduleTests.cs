using System.Net;
using Assistant.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Assistant.IntegrationTests.Operations;

/// <summary>
/// The periodic tasks' reminders follow their settings across restarts: kept as they are when the
/// setting is unchanged (so a restart does not push the next run back), registered anew when it
/// changes, removed when it is 0. Shown on the task runner's backup reminder.
/// </summary>
public sealed class ReminderScheduleTests
{
    private const string Key = "reminder-key";

    [Fact]
    public async Task A_changed_backup_interval_takes_effect_at_the_next_start_and_an_unchanged_one_keeps_its_schedule()
    {
        var directory = TestPaths.NewTempDirectory("reminder-schedule");

        var first = await BackupReminderAfterStartAsync(directory, hours: "24");
        Assert.Equal(TimeSpan.FromHours(24), first?.Period);

        var again = await BackupReminderAfterStartAsync(directory, hours: "24");
        Assert.Equal(first, again);

        var changed = await BackupReminderAfterStartAsync(directory, hours: "6");
        Assert.Equal(TimeSpan.FromHours(6), changed?.Period);

        Assert.Null(await BackupReminderAfterStartAsync(directory, hours: "0"));
    }

    /// <summary>Starts the silo, has the task runner activated by a maintenance request, stops it, and reads the reminder row.</summary>
    private static async Task<(string StartTime, TimeSpan Period)?> BackupReminderAfterStartAsync(string directory, string hours)
    {
        await using (var silo = await InProcessSilo.StartAsync(directory, new Dictionary<string, string?>
        {
            ["Admin:ApiKey"] = Key,
            ["Maintenance:BackupIntervalHours"] = hours,
        }))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/maintenance/checkpoint");
            request.Headers.Add("X-Api-Key", Key);
            using var response = await silo.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "data", "system.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT StartTime, Period FROM OrleansRemindersTable WHERE ReminderName = 'backup'";
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), TimeSpan.FromMilliseconds(reader.GetInt64(1))) : null;
    }
}
