namespace Assistant.Sessions;

[GenerateSerializer, Immutable, Alias("Assistant.Sessions.PruneResult")]
public sealed record class PruneResult(
    [property: Id(0)] int RemovedMessages,
    [property: Id(1)] int RemainingMessages,
    [property: Id(2)] int RemainingTokens);
