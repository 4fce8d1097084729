using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans.Serialization;

namespace Assistant.Spending;

/// <summary>
/// One spender's spend (<see cref="ISpendGrain"/>). Reentrant, so the turns of many chats are not
/// queued behind each other's writes: every change is made in memory at once, between awaits, and
/// the writes are shared: a settle waits for a write that carries its change, started after it
/// (one write serves every settle that came while the previous one was under way). Holds live in
/// memory only: a silo lost mid-turn leaves its holds to lapse, and the spend the turn recorded before is kept.
/// </summary>
[GrainType("spend")]
[Reentrant]
internal sealed class SpendGrain(
    [PersistentState("spend")] IPersistentState<SpendState> stored,
    DeepCopier<SpendState> copier,
    BudgetPeriods periods,
    [FromKeyedServices(Clock.Key)] TimeProvider time) : Grain, ISpendGrain
{
    private readonly Dictionary<Guid, (decimal Usd, long Until)> _holds = [];
    private SpendState? _live;
    private long _changed;
    private long _written;
    private Task? _writing;

    private SpendState Live => _live ??= copier.Copy(stored.State);

    public Task<SpendAdmission> ReserveAsync(Guid hold, decimal usd, SpendLimits limits, TimeSpan expiresAfter)
    {
        var now = time.GetUtcNow();
        Roll(now);
        var held = Held();
        var live = Live;
        var refusal =
            limits.Daily > 0 && live.Today.CostUsd + held + usd > limits.Daily ? new SpendAdmission(false, "daily", limits.Daily, live.Today.CostUsd + held, periods.DayEnds(now))
            : limits.Monthly > 0 && live.ThisMonth.CostUsd + held + usd > limits.Monthly ? new SpendAdmission(false, "monthly", limits.Monthly, live.ThisMonth.CostUsd + held, periods.MonthEnds(now))
            : null;
        if (refusal is not null)
        {
            return Task.FromResult(refusal);
        }

        _holds[hold] = (usd, time.GetTimestamp() + (long)(expiresAfter.TotalSeconds * time.TimestampFrequency));
        return Task.FromResult(SpendAdmission.Yes);
    }

    public Task ReleaseAsync(Guid hold)
    {
        _holds.Remove(hold);
        return Task.CompletedTask;
    }

    public async Task SettleAsync(Guid hold, ModelUsage usage)
    {
        _holds.Remove(hold);
        Roll(time.GetUtcNow());
        var live = Live;
        live.Today.Add(usage);
        live.ThisMonth.Add(usage);
        if (!live.ThisMonthByModel.TryGetValue(usage.Model, out var model))
        {
            live.ThisMonthByModel[usage.Model] = model = new SpendTotals();
        }

        model.Add(usage);
        await PersistAsync();
    }

    public Task<SpendReport> ReadAsync()
    {
        Roll(time.GetUtcNow());
        var live = copier.Copy(Live);
        return Task.FromResult(new SpendReport(live.Day, live.Today, live.Month, live.ThisMonth, Held(), live.ThisMonthByModel));
    }

    /// <summary>A new day or month starts from nothing (in memory; stored with the next settle).</summary>
    private void Roll(DateTimeOffset now)
    {
        var live = Live;
        var day = periods.Day(now);
        var month = periods.Month(now);
        if (live.Month != month)
        {
            live.Month = month;
            live.ThisMonth = new SpendTotals();
            live.ThisMonthByModel.Clear();
        }

        if (live.Day != day)
        {
            live.Day = day;
            live.Today = new SpendTotals();
        }
    }

    private decimal Held()
    {
        var now = time.GetTimestamp();
        decimal held = 0;
        foreach (var (id, (usd, until)) in _holds)
        {
            if (until <= now)
            {
                _holds.Remove(id); // its turn's silo was lost, or it never settled: it lapses
            }
            else
            {
                held += usd;
            }
        }

        return held;
    }

    /// <summary>Returns once a write begun after this change has stored it; a failed write fails every settle it carried.</summary>
    private async Task PersistAsync()
    {
        var mine = ++_changed;
        while (_written < mine)
        {
            if (_writing is null || _writing.IsCompleted)
            {
                _writing = WriteAsync();
            }

            await _writing;
        }
    }

    private async Task WriteAsync()
    {
        var generation = _changed;
        stored.State = copier.Copy(Live);
        await stored.WriteStateAsync();
        _written = Math.Max(_written, generation);
    }
}

[GenerateSerializer, Alias("Assistant.Spending.SpendState")]
public sealed class SpendState
{
    [Id(0)] public string Day { get; set; } = "";

    [Id(1)] public SpendTotals Today { get; set; } = new();

    [Id(2)] public string Month { get; set; } = "";

    [Id(3)] public SpendTotals ThisMonth { get; set; } = new();

    [Id(4)] public Dictionary<string, SpendTotals> ThisMonthByModel { get; set; } = new(StringComparer.Ordinal);
}
