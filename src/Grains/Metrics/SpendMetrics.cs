using System.Diagnostics.Metrics;

namespace Assistant.Metrics;

/// <summary>What the model costs, counted (meter <c>Assistant</c>): tokens and USD per model, and turns refused by a budget.</summary>
public sealed class SpendMetrics
{
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _refusals;

    public SpendMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(AssistantMetrics.MeterName);
        _tokens = meter.CreateCounter<long>("assistant.model.tokens", "{token}", "Tokens of model calls (answers, summaries), by kind (input, output) and model: as the endpoint reported them, else counted here.");
        _cost = meter.CreateCounter<double>("assistant.model.cost_usd", "{USD}", "What model calls cost in USD (AI:Prices), by model.");
        _refusals = meter.CreateCounter<long>("assistant.budget.refusals", "{turn}", "Model calls (turns and summaries) refused before the model was called, by the limit that refused them (user_daily, user_monthly, global_daily, global_monthly).");
        foreach (var scope in (string[])["user_daily", "user_monthly", "global_daily", "global_monthly"])
        {
            Refused(scope, 0); // each series from 0, so a first refusal shows as an increase
        }
    }

    public void Called(Spending.ModelUsage usage)
    {
        var model = new KeyValuePair<string, object?>("model", usage.Model);
        _tokens.Add(usage.InputTokens, new KeyValuePair<string, object?>("kind", "input"), model);
        _tokens.Add(usage.OutputTokens, new KeyValuePair<string, object?>("kind", "output"), model);
        _cost.Add((double)usage.CostUsd, model);
    }

    public void Refused(string scope, long count = 1) => _refusals.Add(count, new KeyValuePair<string, object?>("scope", scope));
}
