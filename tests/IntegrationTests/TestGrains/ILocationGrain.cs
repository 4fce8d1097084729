using Orleans.Placement;

namespace Assistant.IntegrationTests.TestGrains;

/// <summary>Says which silo it lives on; placed on the silo that first calls it.</summary>
public interface ILocationGrain : IGrainWithStringKey
{
    Task<string> WhereAsync();
}

[PreferLocalPlacement]
public sealed class LocationGrain(ILocalSiloDetails silo) : Grain, ILocationGrain
{
    public Task<string> WhereAsync() => Task.FromResult(silo.SiloAddress.ToString());
}
