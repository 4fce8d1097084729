using System.Text.Json.Serialization;

namespace Assistant.Restarts;

/// <summary>
/// The cluster's restart manager (key 0): decides whether a silo may restart (an hourly limit
/// per silo, backoff for automatic restarts), tells that silo to drain and exit, keeps the
/// history, and runs the optional daily scheduled restart, one silo at a time.
/// </summary>
[Alias("Assistant.Restarts.IRestartManagerGrain")]
public interface IRestartManagerGrain : IGrainWithIntegerKey
{
    [Alias("Request")]
    Task<RestartDecision> RequestAsync(RestartCommand command);

    /// <summary>The draining silo reports, just before it exits, how long the drain took.</summary>
    [Alias("RecordDrained")]
    Task RecordDrainedAsync(long entryId, double drainSeconds, double uptimeSeconds);

    [Alias("GetStatus")]
    Task<RestartStatus> GetStatusAsync();

    [Alias("EnsureRunning")]
    Task EnsureRunningAsync();
}

/// <summary>Restart <see cref="Silo"/> (a silo name such as <c>host-11111</c>), for <see cref="Reason"/>.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Restarts.RestartCommand")]
public sealed record class RestartCommand(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Reason,
    [property: Id(2)] string Source)
{
    public const string Manual = "manual";
    public const string CriticalAlert = "critical_alert";
    public const string MemoryLimit = "memory_limit";
    public const string Scheduled = "scheduled";
}

[GenerateSerializer, Immutable, Alias("Assistant.Restarts.RestartDecision")]
public sealed record class RestartDecision(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] string Message,
    [property: Id(2)] RestartEntry? Entry,
    [property: Id(3)] bool UnknownSilo = false,
    [property: Id(4)] bool AlreadyRestarting = false,
    [property: Id(6)] bool Unsupervised = false)
{
    /// <summary>When a refused restart may be asked for again. (A property, not a parameter with a default: the OpenAPI schema exporter cannot write a nullable struct's default.)</summary>
    [Id(5)]
    public DateTimeOffset? RetryAt { get; init; }
}

/// <summary>One restart, asked for, refused or done.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Restarts.RestartEntry")]
public sealed record class RestartEntry(
    [property: Id(0)] long Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Silo,
    [property: Id(3)] string Reason,
    [property: Id(4)] string Source,
    [property: Id(5)] string Outcome,
    [property: Id(6)] double? UptimeBeforeSeconds,
    [property: Id(7)] double? DrainSeconds)
{
    public const string Draining = "draining";
    public const string Restarted = "restarted";
    public const string Refused = "refused";
}

/// <summary>
/// <c>{"config": {...}, "history": [...newest first], "scheduled": ..., "silos": [...]}</c>; scheduled is
/// null without a daily restart; silos says, per silo, whether anything would start it again.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Restarts.RestartStatus")]
public sealed record class RestartStatus(
    [property: Id(0)] RestartConfig Config,
    [property: Id(1)] IReadOnlyList<RestartEntry> History,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? Scheduled,
    [property: Id(3)] IReadOnlyList<Supervision> Silos);

/// <summary>
/// Whether a silo runs under something that starts it again after a requested restart (exit
/// code 75): <see cref="Supervisor"/> is <c>scripts/supervise.sh</c>, <c>systemd</c>,
/// <c>Restart:Supervised</c>, or null when nothing would.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Restarts.Supervision")]
public sealed record class Supervision(
    [property: Id(0)] string Silo,
    [property: Id(1)] bool Supervised,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Supervisor);

[GenerateSerializer, Immutable, Alias("Assistant.Restarts.RestartConfig")]
public sealed record class RestartConfig(
    [property: Id(0)] bool AutoRestart,
    [property: Id(1)] double MemoryLimitMb,
    [property: Id(2)] bool RestartOnCriticalAlerts,
    [property: Id(3)] int MaxRestartsPerHour,
    [property: Id(4)] double BackoffBaseSeconds,
    [property: Id(5)] double GraceSeconds,
    [property: Id(6), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ScheduledTime);
