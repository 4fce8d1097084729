namespace Assistant.Health;

[GenerateSerializer, Immutable, Alias("Assistant.Health.PingReply")]
public sealed record class PingReply([property: Id(0)] string Silo, [property: Id(1)] DateTimeOffset Time);
