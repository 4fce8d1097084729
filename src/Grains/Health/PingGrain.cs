using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;

namespace Assistant.Health;

[StatelessWorker]
internal sealed class PingGrain(ILocalSiloDetails silo, [FromKeyedServices(Clock.Key)] TimeProvider time) : Grain, IPingGrain
{
    public Task<PingReply> PingAsync() => Task.FromResult(new PingReply(silo.Name, time.GetUtcNow()));
}
