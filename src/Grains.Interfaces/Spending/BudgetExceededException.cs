namespace Assistant.Spending;

/// <summary>A budget refused the message before the model was called: the message names the limit, <see cref="RetryAfterSeconds"/> is when it resets.</summary>
[GenerateSerializer, Alias("Assistant.Spending.BudgetExceededException")]
public sealed class BudgetExceededException(string message, long retryAfterSeconds) : Exception(message)
{
    [Id(0)]
    public long RetryAfterSeconds { get; } = retryAfterSeconds;
}
