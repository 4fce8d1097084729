using Assistant.Storage;
using Microsoft.Extensions.Options;

namespace Assistant.Silo.Hosting;

public static class StorageSetup
{
    /// <summary>
    /// The database and its schema. The schema is brought up to date in the host's "starting"
    /// phase, which completes before any hosted service (Orleans included) starts, so the ADO.NET
    /// providers find their queries even though services start concurrently.
    /// </summary>
    public static TBuilder AddAssistantStorage<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        builder.Services.AddSingleton<Database>();
        builder.Services.AddSingleton<GroupCommit>();
        builder.Services.AddSingleton<SchemaMigrator>();
        builder.Services.AddHostedService<SchemaMigrationService>();
        return builder;
    }

    private sealed class SchemaMigrationService(SchemaMigrator migrator) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
