using Orleans.Runtime.Services;

namespace Assistant.Silos;

internal sealed class SiloAgents(IServiceProvider services, IGrainFactory grains) : GrainServiceClient<ISiloAgent>(services), ISiloAgents
{
    public ISiloAgent On(SiloAddress silo) => GetGrainService(silo);

    public async Task<IReadOnlyList<SiloAddress>> ActiveSilosAsync()
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        return [.. hosts.Keys];
    }
}
