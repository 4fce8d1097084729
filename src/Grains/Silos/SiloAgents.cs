using Orleans.Runtime.Services;

namespace Assistant.Silos;

internal sealed class SiloAgents(IServiceProvider services, IGrainFactory grains) : GrainServiceClient<ISiloAgent>(services), ISiloAgents
{
    public ISiloAgent On(SiloAddress silo) => GetGrainService(silo);

    public async Task<IReadOnlyList<SiloInfo>> ActiveSilosAsync()
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        return [.. hosts.Select(h => new SiloInfo(h.SiloAddress, h.SiloName))];
    }
}
