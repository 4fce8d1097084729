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
        state.State = new ServiceModeState(maintenance, maintenance ? message : null, maintenance ? time.GetUtcNow() : null);
        await state.WriteStateAsync();
        LogChanged(logger, maintenance, message ?? "");

        // Every silo hears at once; a silo that misses it catches up through its keeper.
        var silos = await agents.ActiveSilosAsync();
        await Task.WhenAll(silos.Select(async s =>
        {
            try
            {
                await agents.On(s.Address).ApplyServiceModeAsync(state.State).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSiloMissed(logger, s.Name, ex.Message);
            }
        }));
        return state.State;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Maintenance mode set to {Maintenance} ({Message})")]
    private static partial void LogChanged(ILogger logger, bool maintenance, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} did not take the maintenance mode change yet ({Reason}); its keeper will")]
    private static partial void LogSiloMissed(ILogger logger, string silo, string reason);
}
