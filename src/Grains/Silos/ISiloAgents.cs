namespace Assistant.Silos;

/// <summary>Reaches the agent of a given silo, and lists the silos there are.</summary>
public interface ISiloAgents
{
    ISiloAgent On(SiloAddress silo);

    /// <summary>The silos that are Active in the cluster now, with their names.</summary>
    Task<IReadOnlyList<SiloInfo>> ActiveSilosAsync();
}

/// <summary>An active silo: its address, and the name it reports in snapshots and logs.</summary>
public sealed record SiloInfo(SiloAddress Address, string Name);
