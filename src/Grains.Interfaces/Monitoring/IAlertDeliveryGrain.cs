using System.Text.Json.Serialization;

namespace Assistant.Monitoring;

/// <summary>
/// The cluster's alert outbox (key 0). Raising an alert only stores it; the grain delivers it to
/// the webhook and each Telegram admin in the background, each delivery bounded by
/// <c>Monitoring:AlertDeliveryTimeoutSeconds</c> and retried with backoff (after a 429's
/// <c>retry_after</c>), so no health cycle ever waits on a slow or rate-limited destination.
/// </summary>
[Alias("Assistant.Monitoring.IAlertDeliveryGrain")]
public interface IAlertDeliveryGrain : IGrainWithIntegerKey
{
    /// <summary>Stores the alert for delivery and returns; delivery happens after.</summary>
    [Alias("Enqueue")]
    Task EnqueueAsync(PerformanceAlert alert);

    [Alias("GetStatus")]
    Task<AlertDeliveryStatus> GetStatusAsync();

    /// <summary>Called by every silo every few seconds: a delivery lost with its silo resumes here.</summary>
    [Alias("EnsureRunning")]
    Task EnsureRunningAsync();
}

/// <summary>
/// <c>pending</c>: deliveries (alert and destination) not yet made; <c>delivered</c>, <c>failures</c>
/// (failed attempts, each retried) and <c>given_up</c> count since the grain's state began.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.AlertDeliveryStatus")]
public sealed record class AlertDeliveryStatus(
    [property: Id(0)] int Pending,
    [property: Id(1)] long Delivered,
    [property: Id(2)] long Failures,
    [property: Id(3)] long GivenUp,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LastFailure,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastFailureAt,
    [property: Id(6), JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? NextAttemptAt)
{
    public static readonly AlertDeliveryStatus Unknown = new(0, 0, 0, 0, "the alert outbox did not answer", null, null);
}
