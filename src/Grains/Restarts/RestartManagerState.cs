namespace Assistant.Restarts;

[GenerateSerializer, Alias("Assistant.Restarts.RestartManagerState")]
public sealed class RestartManagerState
{
    /// <summary>Newest first, at most <see cref="HistoryLimit"/>.</summary>
    [Id(0)]
    public List<RestartEntry> History { get; set; } = [];

    [Id(1)]
    public long NextId { get; set; } = 1;

    [Id(2)]
    public DateTimeOffset? LastScheduledRun { get; set; }

    public const int HistoryLimit = 100;
}
