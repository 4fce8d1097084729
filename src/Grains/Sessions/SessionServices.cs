using Assistant.Access;
using Assistant.Storage;
using Assistant.Health;
using Assistant.Metrics;
using Assistant.Models;
using Assistant.Silos;
using Assistant.Spending;
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
        services.AddOptions<StreamingCadenceOptions>().BindConfiguration(StreamingCadenceOptions.Section)
            .Validate(o => o.BaseIntervalMs >= 0 && o.MaxIntervalMs >= 0 && o.GrowthMsPerThousandChars >= 0 && o.MinNewChars >= 0 && o.FirstPushMs >= 0,
                "Streaming:BaseIntervalMs, Streaming:MaxIntervalMs, Streaming:GrowthMsPerThousandChars, Streaming:MinNewChars and Streaming:FirstPushMs must not be negative")
            .Validate(o => o.GroupFactor >= 1 && o.RateLimitedFactor >= 1 && o.HighCpuFactor >= 1, "Streaming:GroupFactor, Streaming:RateLimitedFactor and Streaming:HighCpuFactor must be at least 1")
            .ValidateOnStart();
        services.AddSingleton(sp => new StreamingCadence(sp.GetRequiredService<IOptions<StreamingCadenceOptions>>().Value));

        services.AddAssistantMetrics();
        services.AddChatModel();
        services.TryAddKeyedSingleton(Clock.Key, TimeProvider.System);
        services.AddSingleton<LocalSessionRegistry>();
        services.AddSingleton<SessionAdmission>();
        services.AddSingleton<Monitoring.PressureState>();
        services.AddOptions<ClusterRetryOptions>().BindConfiguration(ClusterRetryOptions.Section)
            .Validate(o => o.Attempts >= 0, "Cluster:Retry:Attempts must not be negative (0 turns retries off)")
            .Validate(o => o.DelayMs >= 0 && o.MaxDelayMs >= 0, "Cluster:Retry:DelayMs and Cluster:Retry:MaxDelayMs must not be negative")
            .ValidateOnStart();
        services.AddSingleton<ClusterRetry>();
        services.AddSingleton<SessionDirectory>();
        services.AddSingleton<Models.ChatCatalog>();
        services.AddSingleton<Memory.NoteHoldersCopy>();
        services.AddSingleton<Memory.NotesCache>();
        services.AddSingleton<Memory.UserNotes>();
        services.AddSpending();
        services.AddAccess();
        services.AddSingleton<Memory.ConversationExports>();
        services.AddSingleton<Memory.ConversationErasure>();
        services.AddSingleton<Memory.ConversationMemory>();
        services.AddSingleton<ModelExchange>();

        // The rooms a session hands its work to; none keeps state of its own (ChatActivation holds it).
        services.AddSingleton<SessionStates>();
        services.AddSingleton<SessionLedger>();
        services.AddSingleton<TelegramIntake>();
        services.AddSingleton<MediaQuestion>();
        services.AddSingleton<TelegramReplying>();
        services.AddSingleton<Commands.CommandHosts>();
        services.AddSingleton<TelegramAnswering>();
        services.AddSingleton<TelegramDelivery>();
        services.AddSingleton<ApiReplies>();
        services.AddSingleton<ConversationUpkeep>();
        services.AddSingleton<Memory.ConversationSummarizer>();
        services.AddSingleton<LegacyTakeOver>();
        services.AddSingleton<IStateCompanion, InboxPendingMark>();
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
