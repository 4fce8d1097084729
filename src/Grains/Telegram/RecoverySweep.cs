using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assistant.Telegram;

/// <summary>
/// Wakes sessions holding accepted messages that nobody answered, such as those of a lost silo.
/// Each session is asked on its own, with its own time limit, so one that does not answer holds
/// up no other; a session found with nothing waiting clears its own mark.
/// </summary>
public sealed partial class RecoverySweep(SessionDirectory directory, [FromKeyedServices(Clock.Key)] TimeProvider time, ILogger<RecoverySweep> logger)
{
    public static readonly TimeSpan PerSession = TimeSpan.FromSeconds(10);
    private const int Batch = 200;
    private const int Parallelism = 8;

    public async Task RunAsync(IGrainFactory grains, TimeSpan leftBehindAfter, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> sessions;
        try
        {
            sessions = await directory.FindPendingAsync(time.GetUtcNow() - leftBehindAfter, Batch, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecoveryFailed(logger, ex.Message);
            return;
        }

        var woken = 0;
        var failed = 0;
        foreach (var chunk in sessions.Chunk(Parallelism))
        {
            var results = await Task.WhenAll(chunk.Select(id => ResumeAsync(grains, id, cancellationToken)));
            woken += results.Count(r => r == true);
            failed += results.Count(r => r is null);
        }

        if (woken > 0 || failed > 0)
        {
            LogRecovered(logger, sessions.Count, woken, failed);
        }
    }

    /// <returns>True when messages wait, false when none did (the mark is cleared), null when the session did not answer.</returns>
    private async Task<bool?> ResumeAsync(IGrainFactory grains, string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            return await grains.GetGrain<IChatSessionGrain>(sessionId).ResumeAsync().WaitAsync(PerSession, cancellationToken) > 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSessionFailed(logger, sessionId, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovery: {Found} sessions marked with unanswered Telegram messages; {Woken} woken, {Failed} did not answer")]
    private static partial void LogRecovered(ILogger logger, int found, int woken, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for unanswered Telegram messages: {Reason}")]
    private static partial void LogRecoveryFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovery: session {SessionId} did not answer ({Reason}); the others go on")]
    private static partial void LogSessionFailed(ILogger logger, string sessionId, string reason);
}
