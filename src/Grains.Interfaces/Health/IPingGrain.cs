namespace Assistant.Health;

/// <summary>
/// A cheap grain call used by readiness and health checks to prove that the silo
/// can activate and run grains.
/// </summary>
[Alias("Assistant.Health.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    [Alias("Ping")]
    Task<PingReply> PingAsync();
}
