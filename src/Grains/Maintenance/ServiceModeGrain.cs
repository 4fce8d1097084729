using Assistant.Silos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assistant.Maintenance;

internal sealed partial class ServiceModeGrain(
    [PersistentState("mode")] IPersistentState<ServiceModeState> state,
    ISiloAgents agents,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<ServiceModeGrain> logger) : Grain, IServiceModeGrain
{
    public Task<ServiceModeState> GetAsync() => Task.FromResult(state.State ?? new ServiceModeState(false, null, null));

    public async Task<ServiceModeState> SetAsync(bool maintenance, string? message)
    {
        var changed = await ChangeAsync(new ServiceModeState(maintenance, maintenance ? message : null, maintenance ? time.GetUtcNow() : null, state.State?.SessionLimit));
        LogChanged(logger, maintenance, message ?? "");
        return changed;
    }

    public async Task<ServiceModeState> SetSessionLimitAsync(int? maxActive)
    {
        var changed = await ChangeAsync((state.State ?? new ServiceModeState(false, null, null)) with { SessionLimit = maxActive });
        LogLimit(logger, maxActive?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "Sessions:MaxActive");
        return changed;
    }

    private async Task<ServiceModeState> ChangeAsync(ServiceModeState changed)
    {
        var before = state.State;
        state.State = changed;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before; // not stored, so not in force
            throw;
        }

        // Every silo hears at once; a silo that misses it catches up through its keeper.
        var silos = await agents.ActiveSilosAsync();
        await Task.WhenAll(silos.Select(async s =>
        {
            try
            {
                await agents.On(s.Address).ApplyServiceModeAsync(changed).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSiloMissed(logger, s.Name, ex.Message);
            }
        }));
        return changed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Session cap set to {Limit} active sessions by an admin (0: none)")]
    private static partial void LogLimit(ILogger logger, string limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Maintenance mode set to {Maintenance} ({Message})")]
    private static partial void LogChanged(ILogger logger, bool maintenance, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} did not take the maintenance mode change yet ({Reason}); its keeper will")]
    private static partial void LogSiloMissed(ILogger logger, string silo, string reason);
}
