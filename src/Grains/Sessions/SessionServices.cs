using Assistant.Health;
using Assistant.Metrics;
using Assistant.Models;
using Assistant.Silos;
using Assistant.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Assistant.Sessions;

public static class SessionServices
{
    /// <summary>Chat sessions and what they need: options, the model, the per-silo registry and agent, the index.</summary>
    public static IServiceCollection AddChatSessions(this IServiceCollection services)
    {
        services.AddOptions<ChatSessionOptions>().BindConfiguration(ChatSessionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatSessionOptions>, ChatSessionOptionsValidator>();
        services.AddOptions<StreamingCadenceOptions>().BindConfiguration(StreamingCadenceOptions.Section);
        services.AddSingleton(sp => new StreamingCadence(sp.GetRequiredService<IOptions<StreamingCadenceOptions>>().Value));

        services.AddAssistantMetrics();
        services.AddChatModel();
        services.TryAddKeyedSingleton(Clock.Key, TimeProvider.System);
        services.AddSingleton<LocalSessionRegistry>();
        services.AddSingleton<Monitoring.PressureState>();
        services.AddOptions<ClusterRetryOptions>().BindConfiguration(ClusterRetryOptions.Section);
        services.AddSingleton<ClusterRetry>();
        services.AddSingleton<SessionDirectory>();
        services.AddSingleton<SessionReports>();
        services.AddSingleton<LegacySessions>();
        services.AddHostedService<LegacySessionMigration>();
        services.AddSingleton<IServiceHealthSummary, HealthCheckSummary>();

        services.AddGrainService<SiloAgent>();
        services.AddSingleton<ISiloAgents, SiloAgents>();

        // An idle session's activation goes after Sessions:IdleMinutes; its state stays in the database.
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<ChatSessionOptions>>((o, sessions) =>
            o.ClassSpecificCollectionAge[typeof(ChatSessionGrain).FullName!] = TimeSpan.FromMinutes(sessions.Value.IdleMinutes));
        return services;
    }
}
