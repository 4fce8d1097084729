using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// Clearing a context silent for <c>Sessions:InactiveContextHours</c>: now, when the session is
/// active and its silo is told; or at its next activation, when the cleanup marked it cleared in the
/// directory while it was dormant.
/// </summary>
internal sealed partial class ChatSessionGrain
{
    public async Task<bool> ClearIfInactiveAsync(TimeSpan inactivity)
    {
        var now = _time.GetUtcNow();
        if (Busy || Conversation.Messages.Count == 0 || now - Conversation.Statistics.LastActiveAt < inactivity)
        {
            if (Conversation.Messages.Count > 0)
            {
                await TouchDirectoryAsync(); // the directory marked it cleared from a stale row: say what it holds
            }

            return false;
        }

        await ClearContextAsync(now);
        PublishSnapshot();
        await _directory.MarkClearedAsync(SessionId, now);
        LogCleared(_logger, SessionId, inactivity.TotalHours);
        return true;
    }

    /// <summary>
    /// The cleanup cycle decides from the directory and does not activate a dormant session to clear
    /// it: the session clears its own context here, at its next activation, if the directory marked
    /// it cleared and it was indeed silent for <c>Sessions:InactiveContextHours</c> before that (the
    /// directory can lag behind the state) with no Telegram message waiting from before. A mark it
    /// does not honour is undone, so the directory says again what the session holds.
    /// </summary>
    private async Task ApplyClearedContextAsync()
    {
        var inactivity = TimeSpan.FromHours(_options.InactiveContextHours);
        if (!Conversation.MayHaveBeenCleared(_time.GetUtcNow(), inactivity)
            || await _directory.ClearedAtAsync(SessionId) is not { } clearedAt)
        {
            return;
        }

        if (!Conversation.HonoursClear(clearedAt, inactivity, Waiting))
        {
            await TouchDirectoryAsync();
            return;
        }

        await ClearContextAsync(clearedAt);
        LogCleared(_logger, SessionId, _options.InactiveContextHours);
    }

    private Task ClearContextAsync(DateTimeOffset at) => _session.UpdateAsync(s => s.ClearContext(at));

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: context cleared after {Hours} h without messages")]
    private static partial void LogCleared(ILogger logger, string sessionId, double hours);
}
