using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Assistant.Storage;

namespace Assistant.Monitoring;

/// <summary>One stored row of the health history: a sample, the seconds it stands for, and the silos it covers.</summary>
public sealed record StoredSample(HealthSample Sample, int ResolutionSeconds, int Silos);

/// <summary>
/// The tables <c>health_history</c> and <c>health_baselines</c>. The monitor adds a row per health
/// cycle and, daily, summarises each finished day (<see cref="DailyBaseline"/>) and then compacts:
/// rows older than a day become 5-minute means, older than a week hourly means, older than
/// <c>Monitoring:HistoryDays</c> are deleted. Shared by every silo, so the history outlives restarts
/// and the monitor's moves.
/// </summary>
public sealed class HealthHistoryStore(Database database)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DictionaryKeyPolicy = null };

    public async Task AddAsync(HealthSample sample, int resolutionSeconds, int silos, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await InsertAsync(connection, null, new StoredSample(sample, resolutionSeconds, silos), cancellationToken);
    }

    /// <summary>The rows from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), oldest first.</summary>
    public async Task<List<StoredSample>> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAsync(connection, null, from, to, int.MaxValue, cancellationToken);
    }

    public async Task<List<DailyBaseline>> BaselinesAsync(DateOnly from, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT baseline FROM health_baselines WHERE day >= @from ORDER BY day").With("from", Day(from));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var days = new List<DailyBaseline>();
        while (await reader.ReadAsync(cancellationToken))
        {
            days.Add(JsonSerializer.Deserialize<DailyBaseline>(reader.GetString(0), Json)!);
        }

        return days;
    }

    /// <summary>
    /// The daily work: a baseline for each finished day that has samples and none yet, then the
    /// compaction and retention. Returns the days summarised and the rows removed.
    /// </summary>
    public async Task<(int Baselines, int Removed)> DailyAsync(DateTimeOffset now, double historyDays, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var summarised = await SummariseFinishedDaysAsync(connection, transaction, today, now, cancellationToken);
        var removed = await AverageAsync(connection, transaction, now - TimeSpan.FromDays(1), 300, cancellationToken)
            + await AverageAsync(connection, transaction, now - TimeSpan.FromDays(7), 3600, cancellationToken);
        var keep = now - TimeSpan.FromDays(historyDays);
        await using (var delete = connection.CreateCommand("DELETE FROM health_history WHERE at < @keep", transaction).With("keep", keep.UtcDateTime))
        {
            removed += await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var delete = connection.CreateCommand("DELETE FROM health_baselines WHERE day < @keep", transaction).With("keep", Day(DateOnly.FromDateTime(keep.UtcDateTime))))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (summarised, removed);
    }

    private async Task<int> SummariseFinishedDaysAsync(DbConnection connection, DbTransaction transaction, DateOnly today, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var done = new HashSet<string>();
        await using (var command = connection.CreateCommand("SELECT day FROM health_baselines", transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                done.Add(reader.GetString(0));
            }
        }

        var start = new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = await ReadAsync(connection, transaction, start - TimeSpan.FromDays(8), start, int.MaxValue, cancellationToken);
        var count = 0;
        foreach (var day in rows.GroupBy(r => DateOnly.FromDateTime(r.Sample.Timestamp.UtcDateTime)).Where(g => !done.Contains(Day(g.Key))))
        {
            var baseline = DailyBaseline.Of(day.Key, [.. day]);
            await using var insert = connection.CreateCommand("INSERT INTO health_baselines (day, baseline, created_at) VALUES (@day, @baseline, @at)", transaction)
                .With("day", Day(day.Key)).With("baseline", JsonSerializer.Serialize(baseline, Json)).With("at", now.UtcDateTime);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            count++;
        }

        return count;
    }

    /// <summary>Replaces the rows before <paramref name="before"/> finer than <paramref name="seconds"/> by one mean row per period of that length.</summary>
    private async Task<int> AverageAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset before, int seconds, CancellationToken cancellationToken)
    {
        // Whole periods only: a period cut at the boundary would be averaged twice, into two rows.
        before = DateTimeOffset.FromUnixTimeSeconds(before.ToUnixTimeSeconds() / seconds * seconds);
        var rows = (await ReadAsync(connection, transaction, DateTimeOffset.UnixEpoch, before, seconds, cancellationToken)).ToList();
        if (rows.Count == 0)
        {
            return 0;
        }

        await using (var delete = connection.CreateCommand("DELETE FROM health_history WHERE at < @before AND resolution_seconds < @seconds", transaction)
            .With("before", before.UtcDateTime).With("seconds", seconds))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        var periods = rows.GroupBy(r => r.Sample.Timestamp.ToUnixTimeSeconds() / seconds).ToList();
        foreach (var period in periods)
        {
            await InsertAsync(connection, transaction, Mean(DateTimeOffset.FromUnixTimeSeconds(period.Key * seconds), seconds, [.. period]), cancellationToken);
        }

        return rows.Count - periods.Count;
    }

    /// <summary>One row for a period: the means of the figures (the median over rows that had replies), the highest p95, the replies and errors summed.</summary>
    private static StoredSample Mean(DateTimeOffset at, int seconds, List<StoredSample> rows)
    {
        var errors = new Dictionary<string, long>();
        foreach (var row in rows)
        {
            Sessions.LocalSessionRegistry.Sum(errors, row.Sample.Errors ?? new Dictionary<string, long>());
        }

        var s = rows.Select(r => r.Sample).ToList();
        return new StoredSample(
            new HealthSample(at, Math.Round(s.Average(x => x.HealthScore), 1), Math.Round(s.Average(x => x.MemoryMb), 1), Math.Round(s.Average(x => x.CpuPercent), 1),
                (int)Math.Round(s.Average(x => x.ActiveSessions)), s.Sum(x => x.Replies),
                s.Any(x => x.ReplyP50Ms > 0) ? Math.Round(s.Where(x => x.ReplyP50Ms > 0).Average(x => x.ReplyP50Ms)) : 0, s.Max(x => x.ReplyP95Ms), errors, rows.Max(r => r.Silos)),
            seconds,
            rows.Max(r => r.Silos));
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction? transaction, StoredSample row, CancellationToken cancellationToken)
    {
        var s = row.Sample;
        await using var command = connection.CreateCommand("""
            INSERT INTO health_history (at, resolution_seconds, score, memory_mb, cpu_percent, sessions, silos, replies, reply_p50_ms, reply_p95_ms, errors)
            VALUES (@at, @resolution, @score, @memory, @cpu, @sessions, @silos, @replies, @p50, @p95, @errors)
            """, transaction);
        await command.With("at", s.Timestamp.UtcDateTime).With("resolution", row.ResolutionSeconds).With("score", s.HealthScore).With("memory", s.MemoryMb)
            .With("cpu", s.CpuPercent).With("sessions", s.ActiveSessions).With("silos", row.Silos).With("replies", s.Replies)
            .With("p50", s.ReplyP50Ms).With("p95", s.ReplyP95Ms).With("errors", JsonSerializer.Serialize(s.Errors ?? new Dictionary<string, long>(), Json))
            .ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<StoredSample>> ReadAsync(DbConnection connection, DbTransaction? transaction, DateTimeOffset from, DateTimeOffset to, int finerThan, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand("""
            SELECT at, resolution_seconds, score, memory_mb, cpu_percent, sessions, silos, replies, reply_p50_ms, reply_p95_ms, errors
            FROM health_history WHERE at >= @from AND at < @to AND resolution_seconds < @finer ORDER BY at
            """, transaction).With("from", from.UtcDateTime).With("to", to.UtcDateTime).With("finer", finerThan);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<StoredSample>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var at = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc));
            rows.Add(new StoredSample(
                new HealthSample(at, reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetInt32(5), reader.GetInt32(7), reader.GetDouble(8), reader.GetDouble(9),
                    JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(10), Json)),
                reader.GetInt32(1),
                reader.GetInt32(6)));
        }

        return rows;
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
