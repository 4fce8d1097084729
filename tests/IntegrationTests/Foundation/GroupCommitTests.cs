using System.Data.Common;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Storage;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// <see cref="GroupCommit"/> on both databases: writes that come while a commit is under way share
/// the next one; a write that fails is reported to its caller alone and the others commit; when the
/// group's transaction fails as a whole its writes are tried again one by one, so only the write
/// that breaks it fails; a caller hears of success only once its write is committed.
/// </summary>
public sealed class GroupCommitTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Writes_that_wait_share_one_commit_and_a_failing_one_fails_alone(StorageKind kind)
    {
        await using var database = await ProbeDatabaseAsync(kind);
        var group = new GroupCommit(database);
        var (inside, release) = (new TaskCompletionSource(), new TaskCompletionSource());

        // The first write goes alone and is held inside its transaction while the others come.
        var first = group.RunAsync(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, 1);
            inside.SetResult();
            await release.Task;
        });
        await inside.Task;
        var others = Enumerable.Range(2, 10).Select(id => group.RunAsync((connection, transaction) => InsertAsync(connection, transaction, id))).ToList();
        var duplicate = group.RunAsync((connection, transaction) => InsertAsync(connection, transaction, 2));
        Assert.Empty(await IdsAsync(database)); // nothing is visible before its commit

        release.SetResult();
        await first;
        await Task.WhenAll(others);
        await Assert.ThrowsAnyAsync<DbException>(() => duplicate);

        Assert.Equal((2L, 11L), group.Counts); // the ten that waited went in one commit
        Assert.Equal(Enumerable.Range(1, 11), await IdsAsync(database));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task When_a_group_cannot_commit_its_writes_go_again_alone_and_only_the_breaking_one_fails(StorageKind kind)
    {
        await using var database = await ProbeDatabaseAsync(kind);
        var group = new GroupCommit(database);
        var (inside, release) = (new TaskCompletionSource(), new TaskCompletionSource());
        var first = group.RunAsync(async (connection, transaction) =>
        {
            inside.SetResult();
            await release.Task;
        });
        await inside.Task;
        var good = group.RunAsync((connection, transaction) => InsertAsync(connection, transaction, 1));
        var breaking = group.RunAsync(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, 2);
            await connection.CloseAsync(); // the transaction it is in cannot commit
        });
        release.SetResult();
        await first;

        await good;
        await Assert.ThrowsAnyAsync<Exception>(() => breaking);
        Assert.Equal([1], await IdsAsync(database));
        Assert.Equal((2L, 2L), group.Counts); // the first, then the good one alone: the group of two never committed

        await group.RunAsync((connection, transaction) => InsertAsync(connection, transaction, 3));
        Assert.Equal([1, 3], await IdsAsync(database));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_lone_write_whose_commit_outcome_is_unknown_is_applied_again_and_its_caller_hears_success(StorageKind kind)
    {
        await using var database = await ProbeDatabaseAsync(kind);
        var group = new GroupCommit(database);
        var applied = 0;

        // The first application commits its own transaction: the group's COMMIT that follows then
        // fails although the write is stored, as when a connection drops during COMMIT.
        await group.RunAsync(async (connection, transaction) =>
        {
            await InsertIdempotentAsync(connection, transaction, 1);
            if (Interlocked.Increment(ref applied) == 1)
            {
                await transaction.CommitAsync();
            }
        });

        Assert.Equal(2, applied);
        Assert.Equal([1], await IdsAsync(database));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_failed_group_larger_than_the_retry_slots_whose_retries_meet_an_unknown_commit_outcome_completes_every_write(StorageKind kind)
    {
        await using var database = await ProbeDatabaseAsync(kind);
        var group = new GroupCommit(database);
        var (inside, release) = (new TaskCompletionSource(), new TaskCompletionSource());
        var first = group.RunAsync(async (connection, transaction) =>
        {
            inside.SetResult();
            await release.Task;
        });
        await inside.Task;

        // Forty writes wait for one group. Each fails in it, so each goes again alone; alone, each
        // commits its own transaction first, so that COMMIT fails with the write stored (an unknown
        // outcome) and it is applied once more. More retries than there are slots, each needing one
        // more application: none may wait for a slot another holds while it waits too.
        const int count = 40;
        var writes = Enumerable.Range(100, count).Select(id =>
        {
            var applied = 0;
            return group.RunAsync(async (connection, transaction) =>
            {
                switch (Interlocked.Increment(ref applied))
                {
                    case 1:
                        throw new InvalidOperationException("refused in the group");
                    case 2:
                        await InsertIdempotentAsync(connection, transaction, id);
                        await transaction.CommitAsync();
                        break;
                    default:
                        await InsertIdempotentAsync(connection, transaction, id);
                        break;
                }
            });
        }).ToList();
        release.SetResult();
        await first;

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(100, count), await IdsAsync(database));
    }

    [Fact]
    public async Task On_SQLite_a_lock_held_past_the_busy_timeout_costs_a_failed_groups_writes_one_timeout_together_not_one_each()
    {
        var timeout = TimeSpan.FromSeconds(2);
        var settings = await TestStorage.SettingsAsync(StorageKind.Sqlite, TestPaths.NewTempDirectory("group-lock"), "group-lock");
        await using var database = TestStorage.Database(settings, commandTimeoutSeconds: (int)timeout.TotalSeconds);
        await new SchemaMigrator(database, Microsoft.Extensions.Logging.Abstractions.NullLogger<SchemaMigrator>.Instance).MigrateAsync();
        await using (var connection = await database.OpenAsync())
        {
            await using var create = connection.CreateCommand("CREATE TABLE group_probe (id INTEGER PRIMARY KEY)");
            await create.ExecuteNonQueryAsync();
        }

        // Another process holds the write lock for longer than anyone waits.
        await using var holder = await database.OpenAsync();
        await using var hold = holder.CreateCommand("BEGIN IMMEDIATE");
        await hold.ExecuteNonQueryAsync();

        // Eight writes at once: the first may go alone, the rest as a group, which fails, and its
        // writes are then tried alone. Each attempt waits one "slot" (the busy timeout, and the
        // driver's own retries within the command timeout) and fails.
        var group = new GroupCommit(database);
        var failedAt = new System.Collections.Concurrent.ConcurrentBag<TimeSpan>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(1, 8).Select(async id =>
        {
            var write = group.RunAsync((connection, transaction) => InsertAsync(connection, transaction, id));
            await Assert.ThrowsAnyAsync<Exception>(() => write);
            failedAt.Add(clock.Elapsed);
        }));

        // Tried alone at once, the last failure comes at most three slots in (alone, group, retry),
        // however the writes were grouped; one after another, it would come nine slots in.
        var slot = failedAt.Min();
        Assert.True(failedAt.Max() < 4 * slot, $"failures came at {string.Join(", ", failedAt.Order())}");
    }

    private static async Task<Database> ProbeDatabaseAsync(StorageKind kind)
    {
        var database = await TestStorage.MigratedAsync(kind, "group-commit");
        await using var connection = await database.OpenAsync();
        await using var create = connection.CreateCommand("CREATE TABLE group_probe (id INTEGER PRIMARY KEY)");
        await create.ExecuteNonQueryAsync();
        return database;
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, int id)
    {
        await using var insert = connection.CreateCommand("INSERT INTO group_probe (id) VALUES (@id)", transaction);
        await insert.With("id", id).ExecuteNonQueryAsync();
    }

    private static async Task InsertIdempotentAsync(DbConnection connection, DbTransaction transaction, int id)
    {
        await using var insert = connection.CreateCommand("INSERT INTO group_probe (id) VALUES (@id) ON CONFLICT (id) DO NOTHING", transaction);
        await insert.With("id", id).ExecuteNonQueryAsync();
    }

    private static async Task<List<int>> IdsAsync(Database database)
    {
        await using var connection = await database.OpenAsync();
        await using var select = connection.CreateCommand("SELECT id FROM group_probe ORDER BY id");
        await using var reader = await select.ExecuteReaderAsync();
        var ids = new List<int>();
        while (await reader.ReadAsync())
        {
            ids.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return ids;
    }
}
