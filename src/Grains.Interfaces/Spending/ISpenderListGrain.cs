namespace Assistant.Spending;

/// <summary>
/// Who spent on the model in a month (spender keys, <see cref="Spender"/>), one per cluster (key 0),
/// for the top spenders of <c>/usage all</c> and <c>GET /usage?top=N</c>. A spend grain adds its
/// spender at its first recorded call of a month; the last two months are kept.
/// </summary>
[Alias("Assistant.Spending.ISpenderListGrain")]
public interface ISpenderListGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task AddAsync(string spender, string month);

    [Alias("Read")]
    Task<IReadOnlyList<string>> ReadAsync(string month);
}
