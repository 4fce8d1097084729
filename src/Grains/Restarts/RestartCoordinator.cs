using System.Diagnostics;
using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistant.Restarts;

/// <summary>
/// This silo's side of a restart: stop taking new chat requests, wait (up to the grace period)
/// for the replies in progress, report the drain, then stop the host with exit code 75 so that
/// the supervisor starts it again. Orleans' graceful shutdown then deactivates the grains and
/// leaves the cluster cleanly.
/// </summary>
public sealed partial class RestartCoordinator(
    LocalSessionRegistry sessions,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<RestartCoordinator> logger)
{
    /// <summary>The exit code that asks the supervisor for a restart (EX_TEMPFAIL).</summary>
    public const int RestartExitCode = 75;

    private static readonly DateTimeOffset ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();
    private int _draining;

    public bool Draining => Volatile.Read(ref _draining) == 1;

    /// <summary>The exit code the process should end with, once a restart has stopped the host; null otherwise.</summary>
    public int? RequestedExitCode { get; private set; }

    /// <returns>False when a restart is already under way here.</returns>
    public bool Begin(long entryId, string reason, TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _draining, 1) == 1)
        {
            return false;
        }

        LogDraining(logger, reason, sessions.ActiveReplies, grace.TotalSeconds);
        _ = Task.Run(() => DrainAndExitAsync(entryId, grace));
        return true;
    }

    private async Task DrainAndExitAsync(long entryId, TimeSpan grace)
    {
        var started = time.GetTimestamp();
        try
        {
            await sessions.WaitForNoRepliesAsync(grace, time);
        }
        catch (TimeoutException)
        {
            LogGraceOver(logger, sessions.ActiveReplies);
        }

        var drain = time.GetElapsedTime(started);
        var uptime = time.GetUtcNow() - ProcessStarted;
        try
        {
            await grains.GetGrain<IRestartManagerGrain>(0).RecordDrainedAsync(entryId, drain.TotalSeconds, uptime.TotalSeconds).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex)
        {
            LogNotRecorded(logger, ex.Message);
        }

        LogExiting(logger, drain.TotalSeconds, RestartExitCode);
        RequestedExitCode = RestartExitCode;
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "🛑 Restarting this silo ({Reason}): no new chat requests; waiting for {Replies} replies in progress, at most {GraceSeconds} s")]
    private static partial void LogDraining(ILogger logger, string reason, int replies, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grace period over with {Replies} replies still in progress; stopping anyway (their messages are saved and answered after the restart)")]
    private static partial void LogGraceOver(ILogger logger, int replies);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the drain with the restart manager: {Reason}")]
    private static partial void LogNotRecorded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "🛑 Drained in {Seconds:0.0} s; leaving the cluster and exiting with code {ExitCode} for the supervisor")]
    private static partial void LogExiting(ILogger logger, double seconds, int exitCode);
}
