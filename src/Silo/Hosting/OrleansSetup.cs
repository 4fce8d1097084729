using System.Net;
using Assistant.Storage;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Assistant.Silo.Hosting;

public static class OrleansSetup
{
    /// <summary>
    /// The Orleans silo co-hosted in this process: clustering and reminders through the ADO.NET providers
    /// on the configured database, grain state through our own <see cref="GrainStateStore"/> (its writes
    /// group-committed; conversations of builds before the key spaces through the ADO.NET provider
    /// that stored them), and the dashboard.
    /// </summary>
    public static WebApplicationBuilder AddAssistantOrleans(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClusterSettings>().BindConfiguration(ClusterSettings.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ClusterSettings>, ClusterSettingsValidator>();

        builder.UseOrleans(silo =>
        {
            silo.UseAdoNetClustering(o => o.Configure<Database>((options, db) =>
            {
                options.Invariant = db.AdoNetInvariant;
                options.DataSource = db.DataSource;
            }));
            silo.Services.AddSingleton(sp => new GrainStateStore(
                sp.GetRequiredService<Database>(),
                sp.GetRequiredService<GroupCommit>(),
                StateSerializer(sp),
                sp.GetRequiredService<Orleans.Serialization.Serializers.IActivatorProvider>(),
                sp.GetRequiredService<IOptions<ClusterOptions>>(),
                sp.GetServices<IStateCompanion>()));
            silo.Services.AddKeyedSingleton<Orleans.Storage.IGrainStorage>(
                Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, (sp, _) => sp.GetRequiredService<GrainStateStore>());
            // Conversations stored before the key spaces stay where that build put them, in
            // OrleansStorage, read (and released once moved) through the provider that wrote them.
            silo.AddAdoNetGrainStorage(Assistant.Sessions.LegacyStorage.Name, o => o.Configure<Database, IServiceProvider>((options, db, sp) =>
            {
                options.Invariant = db.AdoNetInvariant;
                options.DataSource = db.DataSource;
                options.GrainStorageSerializer = StateSerializer(sp);
            }));
            // A [PersistentState] without a storage name asks for the unkeyed service: the default, by name.
            silo.Services.AddSingleton(sp => sp.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
            silo.UseAdoNetReminderService(o => o.Configure<Database>((options, db) =>
            {
                options.Invariant = db.AdoNetInvariant;
                options.DataSource = db.DataSource;
            }));

            var services = silo.Services;
            services.AddOptions<ClusterOptions>().Configure<IOptions<ClusterSettings>>((o, s) =>
            {
                o.ClusterId = s.Value.ClusterId;
                o.ServiceId = s.Value.ServiceId;
            });
            services.AddOptions<SiloOptions>().Configure<IOptions<ClusterSettings>>((o, s) =>
                o.SiloName = s.Value.SiloName ?? $"{Environment.MachineName}-{s.Value.SiloPort}");
            services.AddOptions<EndpointOptions>().Configure<IOptions<ClusterSettings>>((o, s) =>
            {
                var settings = s.Value;
                o.AdvertisedIPAddress = IPAddress.Parse(settings.AdvertisedAddress);
                o.SiloPort = settings.SiloPort;
                o.GatewayPort = settings.GatewayPort;
                if (settings.ListenAddress is { } listen)
                {
                    o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Parse(listen), settings.SiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Parse(listen), settings.GatewayPort);
                }
            });
            services.AddOptions<ClusterMembershipOptions>().Configure<IOptions<ClusterSettings>>((o, s) =>
            {
                var settings = s.Value;
                o.ProbeTimeout = TimeSpan.FromSeconds(settings.ProbeTimeoutSeconds);
                o.NumMissedProbesLimit = settings.MissedProbesLimit;
                o.NumVotesForDeathDeclaration = settings.VotesForDeathDeclaration;
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(settings.IAmAliveSeconds);
                o.TableRefreshTimeout = TimeSpan.FromSeconds(settings.TableRefreshSeconds);
                o.EnableConnectionLivenessCheck = settings.ConnectionLivenessCheck;
            });
            services.AddOptions<SiloMessagingOptions>().Configure<IOptions<ClusterSettings>>((o, s) =>
                o.ResponseTimeout = TimeSpan.FromSeconds(s.Value.ResponseTimeoutSeconds));
            services.AddOptions<GrainDirectoryOptions>().Configure<IOptions<ClusterSettings>>((o, s) => o.CacheSize = s.Value.DirectoryCacheSize);

            if (DashboardEnabled(builder.Configuration))
            {
                // No live trace: it streams every grain call, with its arguments, to whoever watches.
                silo.AddDashboard(o => o.HideTrace = true);
            }
        });
        return builder;
    }

    /// <summary>How grain state is serialised (<c>Storage:StateFormat</c>), for both storages.</summary>
    private static Orleans.Storage.IGrainStorageSerializer StateSerializer(IServiceProvider services) => StateFormats.Serializer(
        services.GetRequiredService<IOptions<StorageOptions>>().Value.StateFormat,
        services.GetRequiredService<Orleans.Serialization.Serializer>(),
        services.GetRequiredService<Orleans.Storage.IGrainStorageSerializer>());

    /// <summary>
    /// <c>Dashboard:Enabled</c> (default true): the Orleans Dashboard on this silo. Its counters are
    /// sampled every second from the start (about 20 MB resident); its web assets load when it is
    /// first opened (<see cref="DashboardOnFirstUse"/>). Turn it off on every silo of a cluster or on
    /// none, since each dashboard asks every silo.
    /// </summary>
    public static bool DashboardEnabled(IConfiguration configuration) => configuration.GetValue("Dashboard:Enabled", true);
}
