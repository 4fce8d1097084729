using Assistant.Metrics;
using Assistant.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Spending;

/// <summary>A turn's hold on the budgets that apply to it. <see cref="Refusal"/> set: refused, nothing held, the model is not to be called.</summary>
internal sealed record SpendHold(string Spender, Guid Id, bool OnUser, bool OnGlobal, string? Refusal = null, DateTimeOffset ResetsAt = default);

/// <summary>
/// The budgets around one turn's model calls: a hold on the spender's and the service's budget
/// before the call (<c>Budgets</c>; none is taken when no limit applies), and the call's real cost
/// recorded after it, which releases the hold. A hold that cannot be taken (the spend grain is
/// unreachable) fails the turn, which is retried: no turn calls the model unaccounted for.
/// </summary>
internal sealed partial class TurnSpending(
    IGrainFactory grains,
    ModelPrices prices,
    BudgetPeriods periods,
    IOptions<BudgetOptions> budgets,
    IOptions<AiOptions> ai,
    SpendMetrics metrics,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<TurnSpending> logger)
{
    private readonly TimeSpan _holdLapses = TimeSpan.FromSeconds(ai.Value.ReplyTimeoutSeconds * 2);

    /// <param name="limits">The spender's own limits (their role's, or the quota an admin set); null: <c>Budgets:UserDaily</c> and <c>UserMonthly</c>.</param>
    /// <param name="group">The refusal is said in a group: it names no amount (what a member may spend is theirs to see, <c>/usage</c>).</param>
    public async Task<SpendHold> AdmitAsync(string spender, string model, long promptTokens, SpendLimits? limits = null, bool group = false)
    {
        var o = budgets.Value;
        var (user, global) = (limits ?? o.User, o.Global);
        if (!user.Any && !global.Any)
        {
            return new SpendHold(spender, Guid.Empty, false, false);
        }

        var usd = prices.Cost(model, promptTokens, o.ReserveOutputTokens);
        var id = Guid.NewGuid();
        var onUser = user.Any ? Spend(spender).ReserveAsync(id, usd, user, _holdLapses) : Task.FromResult(SpendAdmission.Yes);
        var onGlobal = global.Any ? Spend(Spender.Global).ReserveAsync(id, usd, global, _holdLapses) : Task.FromResult(SpendAdmission.Yes);
        try
        {
            await Task.WhenAll(onUser, onGlobal);
        }
        catch (Exception ex)
        {
            await ReleaseAsync(new SpendHold(spender, id, onUser.IsCompletedSuccessfully && user.Any, onGlobal.IsCompletedSuccessfully && global.Any));
            // Not the session's own state that moved: the turn is retried like any failed answer, not stopped as a conflict of the session.
            throw ex is Orleans.Storage.InconsistentStateException ? new TimeoutException($"The spend figures of {spender} changed elsewhere; the turn is tried again.", ex) : ex;
        }

        var (byUser, byGlobal) = (onUser.Result, onGlobal.Result);
        if (byUser.Admitted && byGlobal.Admitted)
        {
            return new SpendHold(spender, id, user.Any, global.Any);
        }

        await ReleaseAsync(new SpendHold(spender, id, byUser.Admitted && user.Any, byGlobal.Admitted && global.Any));
        var everyone = !byGlobal.Admitted;
        var refusal = everyone ? byGlobal : byUser;
        metrics.Refused((everyone ? "global_" : "user_") + refusal.Period);
        return new SpendHold(spender, id, false, false, RefusalText(refusal, everyone, group), refusal.ResetsAt);
    }

    /// <summary>What one call cost; <paramref name="estimated"/>: the endpoint reported no usage, these tokens were counted here.</summary>
    public ModelUsage Usage(string model, long inputTokens, long outputTokens, bool estimated) =>
        new(model, inputTokens, outputTokens, prices.Cost(model, inputTokens, outputTokens), estimated);

    /// <summary>
    /// Records what a streamed call cost (<see cref="CallTokens"/>: what the endpoint reported, else
    /// counted off this thread; nothing for the offline provider's notice). Never faults: a count that
    /// fails is logged and the hold released.
    /// </summary>
    public async Task SettleAsync(SpendHold hold, CallTokens tokens, string model, string answer)
    {
        ModelUsage usage;
        try
        {
            usage = await tokens.ForAsync(model, answer, this, counted: ai.Value.EffectiveProvider != AiProvider.Offline);
        }
        catch (Exception ex)
        {
            LogNotCounted(logger, model, ex.Message);
            await ReleaseAsync(hold);
            return;
        }

        await SettleAsync(hold, usage);
    }

    /// <summary>Records what a call cost, for the spender and the service, and releases the hold. A failure is logged: the reply goes on and the hold lapses.</summary>
    public async Task SettleAsync(SpendHold hold, ModelUsage usage)
    {
        if ((usage.InputTokens == 0 && usage.OutputTokens == 0) || ai.Value.EffectiveProvider == AiProvider.Offline)
        {
            // Nothing was used, or no model was asked (the offline provider's notice is the service's own words).
            await ReleaseAsync(hold);
            return;
        }

        metrics.Called(usage);
        await Task.WhenAll(
            RecordAsync(hold.Spender, hold.OnUser ? hold.Id : Guid.Empty, usage),
            RecordAsync(Spender.Global, hold.OnGlobal ? hold.Id : Guid.Empty, usage));
    }

    /// <summary>
    /// One spend grain's record of a call. A write refused because another activation wrote stored
    /// nothing (that activation ends, the next reads what is stored), so it is made once more; any
    /// other failure is logged, its change goes with that grain's next write, and the reply goes on.
    /// </summary>
    private async Task RecordAsync(string spender, Guid hold, ModelUsage usage)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Spend(spender).SettleAsync(hold, usage);
                return;
            }
            catch (Orleans.Storage.InconsistentStateException) when (attempt == 1)
            {
            }
            catch (Exception ex)
            {
                LogNotRecorded(logger, spender, usage.Model, usage.CostUsd, ex.Message);
                return;
            }
        }
    }

    /// <summary>Releases a hold whose turn did not call the model (best effort: it lapses anyway).</summary>
    public async Task ReleaseAsync(SpendHold hold)
    {
        try
        {
            await Task.WhenAll(
                hold.OnUser ? Spend(hold.Spender).ReleaseAsync(hold.Id) : Task.CompletedTask,
                hold.OnGlobal ? Spend(Spender.Global).ReleaseAsync(hold.Id) : Task.CompletedTask);
        }
        catch (Exception ex)
        {
            LogNotReleased(logger, hold.Spender, ex.Message);
        }
    }

    private ISpendGrain Spend(string spender) => grains.GetGrain<ISpendGrain>(spender);

    private string RefusalText(SpendAdmission refusal, bool everyone, bool group)
    {
        var now = time.GetUtcNow();
        var wait = refusal.ResetsAt - now;
        var resets = $"It resets at {periods.InZone(refusal.ResetsAt):yyyy-MM-dd HH:mm} {periods.ZoneName}, in {Readable(wait)}.";
        return everyone
            ? $"The assistant has used its {refusal.Period} budget for everyone{(group ? "" : $" (US${refusal.Limit:0.00##})")}, so I cannot answer now. {resets}"
            : group ? $"You have used your {refusal.Period} budget, so I cannot answer you now. {resets}"
            : $"You have used your {refusal.Period} budget (US${refusal.Limit:0.00##}), so I cannot answer now. {resets} /usage shows what you have spent.";
    }

    private static string Readable(TimeSpan wait) =>
        wait.TotalHours >= 24 ? $"{(int)wait.TotalDays} d {wait.Hours} h"
        : wait.TotalMinutes >= 60 ? $"{(int)wait.TotalHours} h {wait.Minutes} min"
        : $"{Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))} min";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spend of {Spender} not recorded (model {Model}, US${Cost}): {Error}; the turn's hold lapses")]
    private static partial void LogNotRecorded(ILogger logger, string spender, string model, decimal cost, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The tokens of a call to {Model} could not be counted ({Error}); it is not recorded and its hold is released")]
    private static partial void LogNotCounted(ILogger logger, string model, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A hold on the budget of {Spender} was not released ({Error}); it lapses")]
    private static partial void LogNotReleased(ILogger logger, string spender, string error);
}
