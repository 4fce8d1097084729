namespace Assistant.Spending;

/// <summary>
/// What one spender (a Telegram user, an HTTP session, or the whole service: <see cref="Spender.Global"/>)
/// spent on the model today and this month, and the turns in flight that hold part of their budget.
/// Every silo's turns of that spender go through this one grain, so a reservation is atomic across the cluster.
/// </summary>
[Alias("Assistant.Spending.ISpendGrain")]
public interface ISpendGrain : IGrainWithStringKey
{
    /// <summary>
    /// Holds <paramref name="usd"/> for a turn about to call the model, when what was spent plus what
    /// turns in flight hold plus this stays within every limit; else holds nothing and says which limit
    /// refused. A hold not settled within <paramref name="expiresAfter"/> (its silo was lost) lapses.
    /// </summary>
    [Alias("Reserve")]
    Task<SpendAdmission> ReserveAsync(Guid hold, decimal usd, SpendLimits limits, TimeSpan expiresAfter);

    /// <summary>Releases a hold without recording a call (the turn did not call the model after all).</summary>
    [Alias("Release")]
    Task ReleaseAsync(Guid hold);

    /// <summary>Records what a model call cost and releases its hold (<see cref="Guid.Empty"/>: none was taken). Durable when it returns.</summary>
    [Alias("Settle")]
    Task SettleAsync(Guid hold, ModelUsage usage);

    /// <summary>Today's and this month's figures, and what turns in flight hold.</summary>
    [Alias("Read")]
    Task<SpendReport> ReadAsync();
}

/// <summary>A spender's limits in USD for the current day and month; 0 is no limit.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Spending.SpendLimits")]
public sealed record class SpendLimits([property: Id(0)] decimal Daily, [property: Id(1)] decimal Monthly)
{
    public static SpendLimits None { get; } = new(0, 0);

    public bool Any => Daily > 0 || Monthly > 0;
}

/// <summary>Whether a turn may call the model; when not, the limit that refused it and what was used of it.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Spending.SpendAdmission")]
public sealed record class SpendAdmission(
    [property: Id(0)] bool Admitted,
    [property: Id(1)] string? Period = null,
    [property: Id(2)] decimal Limit = 0,
    [property: Id(3)] decimal Used = 0,
    [property: Id(4)] DateTimeOffset ResetsAt = default)
{
    public static SpendAdmission Yes { get; } = new(true);
}

/// <summary>One model call's tokens and cost. <paramref name="Estimated"/>: the endpoint reported no usage, so the tokens were counted here.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Spending.ModelUsage")]
public sealed record class ModelUsage(
    [property: Id(0)] string Model,
    [property: Id(1)] long InputTokens,
    [property: Id(2)] long OutputTokens,
    [property: Id(3)] decimal CostUsd,
    [property: Id(4)] bool Estimated = false);

/// <summary>Tokens, cost and calls over one period.</summary>
[GenerateSerializer, Alias("Assistant.Spending.SpendTotals")]
public sealed class SpendTotals
{
    [Id(0)] public long InputTokens { get; set; }

    [Id(1)] public long OutputTokens { get; set; }

    [Id(2)] public decimal CostUsd { get; set; }

    [Id(3)] public int Calls { get; set; }

    public void Add(ModelUsage usage)
    {
        InputTokens += usage.InputTokens;
        OutputTokens += usage.OutputTokens;
        CostUsd += usage.CostUsd;
        Calls++;
    }
}

/// <summary>A spender's figures: the day and month they are of (in <c>Budgets:TimeZone</c>), and what turns in flight hold.</summary>
[GenerateSerializer, Alias("Assistant.Spending.SpendReport")]
public sealed record class SpendReport(
    [property: Id(0)] string Day,
    [property: Id(1)] SpendTotals Today,
    [property: Id(2)] string Month,
    [property: Id(3)] SpendTotals ThisMonth,
    [property: Id(4)] decimal Held,
    [property: Id(5)] IReadOnlyDictionary<string, SpendTotals> ThisMonthByModel);

/// <summary>Who spends: the grain keys of <see cref="ISpendGrain"/>.</summary>
public static class Spender
{
    /// <summary>The whole service: every call is also added here, against <c>Budgets:GlobalDaily</c> and <c>GlobalMonthly</c>.</summary>
    public const string Global = "*";

    public static string TelegramUser(long userId) => $"tg-user:{userId}";

    /// <summary>A Telegram chat, for what no one person asked (a sender many share, a chat's summary).</summary>
    public static string TelegramChat(long chatId) => $"tg-chat:{chatId}";

    /// <summary>Who pays for what a whole conversation asks (its summaries): a private chat's user, a group, an HTTP session.</summary>
    public static string OfSession(string sessionKey) =>
        Assistant.Sessions.SessionKey.IsTelegram(sessionKey, out var chatId) ? (chatId > 0 ? TelegramUser(chatId) : TelegramChat(chatId)) : sessionKey;

    /// <summary>Who pays for an answer to <paramref name="message"/>: its sender, or the chat when many people share that sender.</summary>
    public static string Of(Assistant.Telegram.TelegramIncoming message) =>
        Assistant.Memory.NoteOwner.IsPerson(message.UserId) ? TelegramUser(message.UserId) : TelegramChat(message.ChatId);
}
