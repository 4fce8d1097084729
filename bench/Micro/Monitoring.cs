using BenchmarkDotNet.Attributes;
using Assistant.Monitoring;
using Assistant.Streaming;
using Assistant.Telegram;

namespace Assistant.Benchmarks;

/// <summary>The monitor's score over three silos, and the per-message decisions of streaming and the flood gate.</summary>
[MemoryDiagnoser]
public class Decisions
{
    private readonly StreamingCadence _cadence = new(new StreamingCadenceOptions());
    private readonly FloodGate _gate = new(new FloodGateOptions { GlobalPerSecond = 1_000_000, PerChatPerSecond = 1_000_000 });
    private ResourceSnapshot[] _silos = [];
    private DateTimeOffset _now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private long _chat;

    [GlobalSetup]
    public void Setup() => _silos =
    [
        .. Enumerable.Range(0, 3).Select(i => new ResourceSnapshot($"silo-{i}", _now, 300 + i, 40 + i, 50 + i, 1, 40, new NetworkIo(1, 1), 60)),
    ];

    [Benchmark]
    public double HealthScoreOfThreeSilos() => HealthScore.For(HealthScore.Cluster(_silos, sessionCapacity: 100));

    [Benchmark]
    public bool StreamingCadenceDecision() =>
        _cadence.ShouldPush(TimeSpan.FromMilliseconds(900), newChars: 40, replyLength: 1_200, new CadenceConditions(GroupChat: false, RecentlyRateLimited: false, HighCpu: true));

    /// <summary>One send across 1,000 chats (each chat's state found or created, the global rate checked).</summary>
    [Benchmark]
    public bool FloodGateDecisionAcross1000Chats()
    {
        _now = _now.AddMilliseconds(1);
        return _gate.TryAcquire(_chat++ % 1_000, group: false, _now, out _);
    }
}
