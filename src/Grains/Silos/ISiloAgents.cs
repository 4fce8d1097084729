namespace Assistant.Silos;

/// <summary>Reaches the agent of a given silo, and lists the silos there are.</summary>
public interface ISiloAgents
{
    ISiloAgent On(SiloAddress silo);

    /// <summary>The silos that are Active in the cluster now.</summary>
    Task<IReadOnlyList<SiloAddress>> ActiveSilosAsync();
}
