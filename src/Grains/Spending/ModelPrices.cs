using System.Collections.Concurrent;
using Assistant.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Spending;

/// <summary>
/// What a call to a model costs, from <c>AI:Prices</c>; a model without a price costs 0, which is
/// logged once per model: as a warning when other models have prices (a price forgotten), else as
/// information (nothing is priced: a free local model). The offline provider costs nothing, unsaid.
/// </summary>
public sealed partial class ModelPrices(IOptions<AiOptions> ai, ILogger<ModelPrices> logger)
{
    private readonly ConcurrentDictionary<string, bool> _unpriced = new(StringComparer.Ordinal);

    public decimal Cost(string model, long inputTokens, long outputTokens)
    {
        if (!ai.Value.Prices.TryGetValue(model, out var price))
        {
            if (ai.Value.EffectiveProvider != AiProvider.Offline && _unpriced.TryAdd(model, true))
            {
                if (ai.Value.Prices.Count > 0)
                {
                    LogUnpriced(logger, model);
                }
                else
                {
                    LogNothingPriced(logger, model);
                }
            }

            return 0;
        }

        return ((inputTokens * price.InputPerMillion) + (outputTokens * price.OutputPerMillion)) / 1_000_000m;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} has no price in AI:Prices (InputPerMillion, OutputPerMillion): its calls are counted at cost 0, which no budget limits")]
    private static partial void LogUnpriced(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} has no price (AI:Prices is empty): its calls are counted at cost 0, which no budget limits")]
    private static partial void LogNothingPriced(ILogger logger, string model);
}
