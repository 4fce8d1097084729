using BenchmarkDotNet.Attributes;
using Assistant.Sessions;

namespace Assistant.Benchmarks;

/// <summary>What every exchange does to the context: add a question and an answer, prune back to 100 messages; estimate tokens.</summary>
[MemoryDiagnoser]
public class Conversations
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly ContextWindow _window = new(maxMessages: 100, maxTokens: 16_000);
    private readonly string _answer = new('a', 300);
    private List<ChatEntry> _messages = [];
    private ChatEntry _question = null!;
    private ChatEntry _reply = null!;

    [GlobalSetup]
    public void Setup()
    {
        _messages = SessionStates.FullContext(Now);
        _question = ChatEntry.Create(ChatEntry.User, new string('q', 100), Now);
        _reply = ChatEntry.Create(ChatEntry.Assistant, _answer, Now);
    }

    /// <summary>A full window (100 messages) takes one more turn and drops its oldest.</summary>
    [Benchmark]
    public int AppendAndPruneAt100()
    {
        _messages.Add(_question);
        _messages.Add(_reply);
        return _window.Prune(_messages, systemPromptTokens: 50);
    }

    [Benchmark]
    public int TokenEstimateOf300Chars() => TokenEstimator.Estimate(_answer);
}
