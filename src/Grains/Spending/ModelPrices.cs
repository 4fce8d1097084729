using System.Collections.Concurrent;
using Assistant.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Spending;

/// <summary>What a call to a model costs, from <c>AI:Prices</c>; a model without a price costs 0, which is logged once per model.</summary>
public sealed partial class ModelPrices(IOptions<AiOptions> ai, ILogger<ModelPrices> logger)
{
    private readonly ConcurrentDictionary<string, bool> _unpriced = new(StringComparer.Ordinal);

    public decimal Cost(string model, long inputTokens, long outputTokens)
    {
        if (!ai.Value.Prices.TryGetValue(model, out var price))
        {
            if (_unpriced.TryAdd(model, true))
            {
                LogUnpriced(logger, model);
            }

            return 0;
        }

        return ((inputTokens * price.InputPerMillion) + (outputTokens * price.OutputPerMillion)) / 1_000_000m;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} has no price in AI:Prices (InputPerMillion, OutputPerMillion): its calls are counted at cost 0, which no budget limits")]
    private static partial void LogUnpriced(ILogger logger, string model);
}
