using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// Sessions collected after 3 s idle, with Orleans' collection quantum lowered to 1 s (it refuses
/// an age below the quantum) and a 2 s deactivation timeout, so that idle collection happens within a test.
/// </summary>
public static class FastIdleCollection
{
    public static readonly TimeSpan SessionAge = TimeSpan.FromSeconds(3);

    public static void Install(IServiceCollection services) =>
        services.Configure<GrainCollectionOptions>(o =>
        {
            o.CollectionQuantum = TimeSpan.FromSeconds(1);
            o.ClassSpecificCollectionAge["Assistant.Sessions.ChatSessionGrain"] = SessionAge;
            o.DeactivationTimeout = TimeSpan.FromSeconds(2);
        });
}
