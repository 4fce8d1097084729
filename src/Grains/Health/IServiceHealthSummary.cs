namespace Assistant.Health;

/// <summary>A few lines on how the service is doing, for the model's health tool and the Telegram /status command.</summary>
public interface IServiceHealthSummary
{
    Task<string> DescribeAsync(CancellationToken cancellationToken = default);
}
