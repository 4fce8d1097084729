using Microsoft.Extensions.AI;

namespace Assistant.Spending;

/// <summary>
/// The tokens of one streamed call (all its tool rounds): as the endpoint reported them
/// (<see cref="UsageContent"/>, which OpenAI-compatible endpoints send when a stream asks for it),
/// else counted here (<see cref="ModelTokens"/>) from the prompt and the answer, for an answer that arrived.
/// </summary>
internal sealed class CallTokens
{
    private long _input;
    private long _output;
    private bool _reported;

    /// <summary>The prompt (its first round), counted only if the endpoint reports no usage.</summary>
    public IReadOnlyList<ChatMessage> Prompt { get; set; } = [];

    public void Add(IEnumerable<AIContent> contents)
    {
        foreach (var content in contents)
        {
            if (content is UsageContent { Details: var details })
            {
                _input += details.InputTokenCount ?? 0;
                _output += details.OutputTokenCount ?? 0;
                _reported = true;
            }
        }
    }

    /// <summary>
    /// The call's usage: what was reported; else, for an answer, the tokens counted here (off the
    /// caller's thread; not at all when <paramref name="counted"/> is false: nothing is billed, the
    /// offline provider's notice); a failed call without a report costs nothing.
    /// </summary>
    public async Task<ModelUsage> ForAsync(string model, string answer, TurnSpending spending, bool counted = true)
    {
        if (_reported)
        {
            return spending.Usage(model, _input, _output, estimated: false);
        }

        if (answer.Length == 0 || !counted)
        {
            return spending.Usage(model, 0, 0, estimated: true);
        }

        var (input, output) = await ModelTokens.CountAsync(Prompt, answer);
        return spending.Usage(model, input, output, estimated: true);
    }
}
