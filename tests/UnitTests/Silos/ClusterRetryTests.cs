using Assistant.Silos;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Assistant.UnitTests.Silos;

/// <summary>Which failed grain calls are tried again: those that did not get through, and nothing else.</summary>
public sealed class ClusterRetryTests
{
    // The text Orleans' placement throws while no active silo is known for a grain type (seen in
    // the chaos test on PostgreSQL, where it reached a user as a 500).
    private const string PlacementGap = "No active nodes are compatible with grain session and interface Assistant.Sessions.IChatSessionGrain version 0. Known nodes with grain type: none. All known nodes compatible with interface version: none";

    [Fact]
    public async Task A_call_refused_for_want_of_a_silo_to_place_it_on_is_tried_again()
    {
        var retry = new ClusterRetry(Options.Create(new ClusterRetryOptions { Attempts = 3, DelayMs = 1, MaxDelayMs = 1 }), NullLogger<ClusterRetry>.Instance);
        var calls = 0;

        var answer = await retry.CallAsync(() => ++calls < 3 ? throw new OrleansException(PlacementGap) : Task.FromResult("placed"));

        Assert.Equal("placed", answer);
        Assert.Equal(3, calls);
    }

    [Fact]
    public void Other_failures_are_not_tried_again()
    {
        Assert.True(ClusterRetry.IsSiloLoss(new OrleansException(PlacementGap)));
        Assert.False(ClusterRetry.IsSiloLoss(new OrleansException("Some other failure")));
        Assert.False(ClusterRetry.IsSiloLoss(new InvalidOperationException(PlacementGap)));
    }
}
