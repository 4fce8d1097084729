using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Assistant.Spending;

/// <summary>
/// Tokens counted as OpenAI's current models count them (<c>o200k_base</c>, Microsoft.ML.Tokenizers),
/// for a call whose endpoint reported no usage: each message's text plus three tokens of framing,
/// and three that prime the answer. Loaded once, at the first count (about 0.2 s, more under load),
/// so counts are made off a grain's thread (<see cref="CountAsync"/>): a grain turn waits for nothing.
/// </summary>
internal static class ModelTokens
{
    public const int PerMessage = 3;
    public const int Priming = 3;

    private static readonly Lazy<Tokenizer> Encoding = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public static int Count(string text) => text.Length == 0 ? 0 : Encoding.Value.CountTokens(text);

    public static long Prompt(IEnumerable<ChatMessage> messages) => messages.Sum(m => (long)PerMessage + Count(m.Text)) + Priming;

    /// <summary>A call's prompt and answer tokens, counted on the thread pool.</summary>
    public static Task<(long Input, long Output)> CountAsync(IReadOnlyList<ChatMessage> prompt, string answer) =>
        Task.Run(() => (Prompt(prompt), (long)Count(answer)));
}
