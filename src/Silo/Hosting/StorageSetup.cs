using Assistant.Storage;
using Microsoft.Extensions.Options;

namespace Assistant.Silo.Hosting;

public static class StorageSetup
{
    /// <summary>
    /// The database and its schema. The schema is brought up to date by a hosted service that
    /// is registered before Orleans, so it runs before the ADO.NET providers read their queries.
    /// </summary>
    public static TBuilder AddAssistantStorage<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        builder.Services.AddSingleton<Database>();
        builder.Services.AddSingleton<SchemaMigrator>();
        builder.Services.AddHostedService<SchemaMigrationService>();
        return builder;
    }

    private sealed class SchemaMigrationService(SchemaMigrator migrator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
