using Assistant.Restarts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Maintenance;

public static class MaintenanceServices
{
    /// <summary>Background tasks, database maintenance, maintenance mode and restarts.</summary>
    public static IServiceCollection AddMaintenance(this IServiceCollection services)
    {
        services.AddOptions<MaintenanceOptions>().BindConfiguration(MaintenanceOptions.Section)
            .Validate(o => o.BackupRetain >= 1, "Maintenance:BackupRetain must be at least 1")
            .Validate(o => o.TaskAttempts >= 1, "Maintenance:TaskAttempts must be at least 1")
            .Validate(o => o.LowPriorityMaxWaitMinutes > 0, "Maintenance:LowPriorityMaxWaitMinutes must be positive")
            .Validate(o => o.BackupIntervalHours >= 0 && o.VacuumIntervalDays >= 0, "Maintenance:BackupIntervalHours and Maintenance:VacuumIntervalDays must not be negative (0 turns them off)")
            .ValidateOnStart();
        services.AddOptions<RestartOptions>().BindConfiguration(RestartOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RestartOptions>, RestartOptionsValidator>();
        services.AddSingleton<MaintenanceOperations>();
        services.AddSingleton<LowPriorityWindow>();
        services.AddSingleton<DiskRelief>();
        services.AddSingleton<Logs.LogLifecycle>();
        services.AddSingleton<ServiceMode>();
        services.AddSingleton<RestartCoordinator>();
        services.AddSingleton<SupervisionDetector>();
        return services;
    }
}
