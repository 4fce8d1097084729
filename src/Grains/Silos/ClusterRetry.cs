using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Assistant.Silos;

/// <summary>
/// Retries a grain call that failed because the silo it went to has just died (Orleans rejects
/// such calls until the silo is declared dead and the grain can activate elsewhere), so users
/// see a delay rather than an error. Only failures that mean "the call did not get through" are retried.
/// </summary>
public sealed partial class ClusterRetry
{
    private readonly ResiliencePipeline _pipeline;

    public ClusterRetry(IOptions<ClusterRetryOptions> options, ILogger<ClusterRetry> logger)
    {
        var o = options.Value;
        _pipeline = o.Attempts <= 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = o.Attempts,
                Delay = TimeSpan.FromMilliseconds(o.DelayMs),
                MaxDelay = TimeSpan.FromMilliseconds(o.MaxDelayMs),
                BackoffType = DelayBackoffType.Exponential,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsSiloLoss),
                OnRetry = args =>
                {
                    LogRetry(logger, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.GetType().Name ?? "?");
                    return ValueTask.CompletedTask;
                },
            }).Build();
    }

    public static bool IsSiloLoss(Exception exception) => exception is OrleansMessageRejectionException or SiloUnavailableException
        || IsPlacementGap(exception)
        || (exception is OrleansException && exception.InnerException is not null && IsSiloLoss(exception.InnerException));

    /// <summary>
    /// While silos are lost and rejoin, a silo's view of the cluster can for a moment hold no active
    /// silo for a grain type; Orleans then refuses to place the call (a plain <see cref="OrleansException"/>,
    /// known only by its text), before anything is sent, so trying again is safe.
    /// </summary>
    private static bool IsPlacementGap(Exception exception) =>
        exception.GetType() == typeof(OrleansException) && exception.Message.StartsWith("No active nodes are compatible with grain", StringComparison.Ordinal);

    public ValueTask<T> CallAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken = default) =>
        _pipeline.ExecuteAsync(call, cancellationToken);

    public ValueTask<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken = default) =>
        _pipeline.ExecuteAsync(async _ => await call(), cancellationToken);

    public ValueTask CallAsync(Func<Task> call, CancellationToken cancellationToken = default) =>
        _pipeline.ExecuteAsync(async _ => await call(), cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A grain call hit a lost silo ({Exception}); retry {Attempt} in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, int attempt, double delayMs, string exception);
}
