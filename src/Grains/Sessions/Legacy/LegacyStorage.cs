namespace Assistant.Sessions;

/// <summary>
/// Where builds before the key spaces stored conversations: the Orleans ADO.NET grain storage on
/// <c>OrleansStorage</c>, registered under <see cref="Name"/> for <see cref="LegacySessionGrain"/> only.
/// Every other state is in <c>grain_state</c> (<see cref="Storage.GrainStateStore"/>).
/// </summary>
public static class LegacyStorage
{
    public const string Name = "OrleansAdoNet";
}
