using Assistant.Monitoring;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Serialization;

namespace Assistant.Spending;

/// <summary>
/// One spender's spend (<see cref="ISpendGrain"/>). Reentrant, so the turns of many chats are not
/// queued behind each other's writes: every change is made in memory at once, between awaits (an
/// admission is decided and held before any await), and the writes are shared (<see cref="SharedWrites"/>):
/// a hold or a settle returns once a write that carries it is stored. Holds are stored, so a restart of this grain keeps
/// them; a turn whose silo is lost leaves its hold to lapse at its time.
/// The service's own grain (<see cref="Spender.Global"/>) also raises the budget alerts (<see cref="BudgetAlerts"/>).
/// </summary>
[GrainType("spend")]
[Reentrant]
internal sealed partial class SpendGrain(
    [PersistentState("spend")] IPersistentState<SpendState> stored,
    DeepCopier<SpendState> copier,
    BudgetPeriods periods,
    IOptions<BudgetOptions> budgets,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<SpendGrain> logger) : Grain, ISpendGrain
{
    private readonly BudgetAlerts _alerts = new(budgets.Value, periods);
    private readonly HashSet<string> _raising = new(StringComparer.Ordinal);
    private SharedWrites? _writes;
    private SpendState? _live;
    private string? _listedIn;

    private SpendState Live => _live ??= copier.Copy(stored.State);

    private SharedWrites Writes => _writes ??= new SharedWrites(
        async () =>
        {
            stored.State = copier.Copy(Live);
            await stored.WriteStateAsync();
        },
        DeactivateOnIdle); // another activation wrote: the next one reads what it stored

    private bool IsService => this.GetPrimaryKeyString() == Spender.Global;

    public async Task<SpendAdmission> ReserveAsync(Guid hold, decimal usd, SpendLimits limits, TimeSpan expiresAfter)
    {
        var now = time.GetUtcNow();
        Roll(now);
        var live = Live;
        var held = Held(now);
        var refusal =
            limits.Daily > 0 && live.Today.CostUsd + held + usd > limits.Daily ? new SpendAdmission(false, "daily", limits.Daily, live.Today.CostUsd + held, periods.DayEnds(now))
            : limits.Monthly > 0 && live.ThisMonth.CostUsd + held + usd > limits.Monthly ? new SpendAdmission(false, "monthly", limits.Monthly, live.ThisMonth.CostUsd + held, periods.MonthEnds(now))
            : null;
        if (refusal is not null)
        {
            if (IsService && _alerts.OnRefusal(live, _raising, refusal.Period!, now) is { } exhausted)
            {
                await RaiseAsync([exhausted]);
            }

            return refusal;
        }

        live.Holds[hold] = new SpendHoldRecord(usd, now + expiresAfter); // decided before any await: admission is atomic
        try
        {
            await Writes.StoreAsync(); // a restart of this grain keeps the holds of turns in flight
        }
        catch
        {
            live.Holds.Remove(hold);
            throw;
        }

        return SpendAdmission.Yes;
    }

    public async Task ReleaseAsync(Guid hold)
    {
        if (Live.Holds.Remove(hold))
        {
            await Writes.StoreAsync();
        }
    }

    public async Task SettleAsync(Guid hold, ModelUsage usage)
    {
        var now = time.GetUtcNow();
        Roll(now);
        var live = Live;
        live.Holds.Remove(hold);
        live.Today.Add(usage);
        live.ThisMonth.Add(usage);
        if (!live.ThisMonthByModel.TryGetValue(usage.Model, out var model))
        {
            live.ThisMonthByModel[usage.Model] = model = new SpendTotals();
        }

        model.Add(usage);
        await Writes.StoreAsync();
        if (IsService && _alerts.AfterSpend(live, _raising, now).ToList() is { Count: > 0 } alerts)
        {
            await RaiseAsync(alerts); // only once the spend that calls for them is stored
        }

        if (!IsService && _listedIn != live.Month)
        {
            await ListAsync(live.Month); // once an activation and month: the list's writes are shared among its callers
        }
    }

    /// <summary>Names this spender among the month's (for the top spenders); once an activation and month, best effort.</summary>
    private async Task ListAsync(string month)
    {
        try
        {
            await GrainFactory.GetGrain<ISpenderListGrain>(0).AddAsync(this.GetPrimaryKeyString(), month);
            _listedIn = month;
        }
        catch (Exception ex)
        {
            LogNotListed(logger, ex.Message); // tried again at the next call
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A spender could not be added to the month's list of spenders ({Error}); it is tried again at their next call")]
    private static partial void LogNotListed(ILogger logger, string error);

    public Task<SpendReport> ReadAsync()
    {
        var now = time.GetUtcNow();
        Roll(now);
        var held = Held(now);
        var live = copier.Copy(Live);
        return Task.FromResult(new SpendReport(live.Day, live.Today, live.Month, live.ThisMonth, held, live.ThisMonthByModel));
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
            BudgetAlerts.Forget(live);
        }
    }

    /// <summary>
    /// Hands the alerts to the alert outbox, then marks and stores that they were raised; one the
    /// outbox did not take stays unmarked, so the next settle or refusal raises it again.
    /// </summary>
    private async Task RaiseAsync(IReadOnlyList<(string Mark, PerformanceAlert Alert)> alerts)
    {
        foreach (var (mark, alert) in alerts)
        {
            AlertLog.Raised(logger, alert);
            try
            {
                await GrainFactory.GetGrain<IAlertDeliveryGrain>(0).EnqueueAsync(alert);
                Live.Alerted.Add(mark);
            }
            catch (Exception ex)
            {
                LogNotRaised(logger, alert.AlertType, ex.Message);
            }
            finally
            {
                _raising.Remove(mark);
            }
        }

        try
        {
            await Writes.StoreAsync();
        }
        catch (Exception ex)
        {
            LogMarksNotStored(logger, ex.Message); // kept in memory: raised again only by a later activation
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "That budget alerts were raised could not be stored ({Error}); a later activation may raise them once more")]
    private static partial void LogMarksNotStored(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The alert outbox did not take {AlertType} ({Error}); it is raised again at the next call")]
    private static partial void LogNotRaised(ILogger logger, string alertType, string error);

    /// <summary>What turns in flight hold; a hold past its time (its turn's silo was lost, or it never settled) lapses.</summary>
    private decimal Held(DateTimeOffset now)
    {
        var live = Live;
        foreach (var (id, record) in live.Holds)
        {
            if (record.Until <= now)
            {
                live.Holds.Remove(id); // stored with the next write
            }
        }

        return live.Holds.Values.Sum(h => h.Usd);
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

    /// <summary>The budget alerts raised in the current day and month (<see cref="BudgetAlerts"/>), so each is raised once.</summary>
    [Id(5)] public HashSet<string> Alerted { get; set; } = new(StringComparer.Ordinal);

    /// <summary>What turns in flight hold, stored so that a restart of the grain keeps them.</summary>
    [Id(6)] public Dictionary<Guid, SpendHoldRecord> Holds { get; set; } = [];
}

/// <summary>One turn's hold: USD, until when (then it lapses).</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Spending.SpendHoldRecord")]
public sealed record class SpendHoldRecord([property: Id(0)] decimal Usd, [property: Id(1)] DateTimeOffset Until);
