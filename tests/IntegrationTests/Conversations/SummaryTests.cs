using System.Text.RegularExpressions;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Conversations;

/// <summary>Turns pruned from the window are summarised by the model, off the reply's path, and the summary leads every later request.</summary>
public sealed partial class SummaryTests(ModelSiloFixture fixture) : IClassFixture<ModelSiloFixture>, IDisposable
{
    private readonly string _session = $"summary-{Guid.NewGuid():N}";

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task After_150_exchanges_the_request_carries_a_summary_holding_a_fact_from_the_first()
    {
        fixture.Model.Responder = r => IsSummary(r) ? KeepNames(r) : FakeOpenAiServer.Echo(r);

        await fixture.Http.SendAsync(_session, "Hello, my name is Quillon and I build boats.");
        for (var i = 2; i <= 149; i++)
        {
            await fixture.Http.SendAsync(_session, $"message {i}");
        }

        await WaitForSummaryAsync(s => s.Contains("name is Quillon", StringComparison.Ordinal));
        await fixture.Http.SendAsync(_session, "message 150");

        var summaries = fixture.Model.Requests.Where(IsSummary).ToList();
        Assert.True(summaries.Count >= 2, $"expected the summary to be remade as turns were pruned, saw {summaries.Count} summary requests");
        Assert.True(summaries.Count <= 10, $"100 pruned turns in batches of 20 messages ask at most 10 summaries, saw {summaries.Count}");
        Assert.All(summaries, r => Assert.Equal(("fake-model", false, 500), (r.Model, r.Stream, r.MaxCompletionTokens)));
        Assert.Contains(summaries.Skip(1), r => r.LastUserText.StartsWith("Previous summary:\nKept: my name is Quillon", StringComparison.Ordinal));

        var last = fixture.Model.Requests.Last(r => !IsSummary(r));
        Assert.Equal("message 150", last.LastUserText);
        Assert.Equal(("system", "system"), (last.Messages[0].Role, last.Messages[1].Role));
        Assert.StartsWith("Summary of the earlier conversation", last.Messages[1].Content);
        Assert.Contains("my name is Quillon", last.Messages[1].Content);
        Assert.DoesNotContain(last.Messages.Skip(2), m => m.Content!.Contains("Quillon", StringComparison.Ordinal)); // the first turn itself was pruned

        var metrics = await fixture.Http.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("assistant_memory_summaries_total{", StringComparison.Ordinal) && l.Contains("outcome=\"made\"", StringComparison.Ordinal));

        // A reset forgets the summary with the context.
        using var reset = await fixture.Http.DeleteAsync($"/sessions/{_session}");
        reset.EnsureSuccessStatusCode();
        Assert.Null(SummaryOf(await fixture.Http.GetSessionAsync(_session)));
        await fixture.Http.SendAsync(_session, "fresh start");
        var fresh = fixture.Model.Requests.Last(r => !IsSummary(r));
        Assert.Single(fresh.Messages, m => m.Role == "system");
    }

    [Fact]
    public async Task A_summary_that_hangs_does_not_delay_the_replies_after_it()
    {
        var release = new TaskCompletionSource();
        fixture.Model.Responder = r => IsSummary(r) ? new FakeResponse.Held(release.Task, "Kept: nothing yet") : FakeOpenAiServer.Echo(r);

        for (var i = 1; i <= 60; i++)
        {
            await fixture.Http.SendAsync(_session, $"message {i}"); // from the 51st each exchange prunes a turn; the 60th makes a batch of 20 messages
        }

        await Eventually.WaitAsync(() => Task.FromResult(fixture.Model.Requests.Any(IsSummary)), "the summary request", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20));
        var replies = new List<string>();
        for (var i = 61; i <= 63; i++)
        {
            replies.Add((await fixture.Http.SendAsync(_session, $"message {i}")).GetProperty("reply").GetString()!);
        }

        Assert.Equal(["Echo: message 61", "Echo: message 62", "Echo: message 63"], replies);
        Assert.False(release.Task.IsCompleted);
        Assert.Single(fixture.Model.Requests, IsSummary); // one at a time: the later prunes wait for it

        release.SetResult();
        await WaitForSummaryAsync(s => s == "Kept: nothing yet");
    }

    [Fact]
    public async Task A_failed_summary_keeps_the_turns_and_the_next_prune_summarises_them_with_the_new_ones()
    {
        var failures = 1;
        fixture.Model.Responder = r => !IsSummary(r) ? FakeOpenAiServer.Echo(r)
            : Interlocked.Decrement(ref failures) >= 0 ? new FakeResponse.Status(400, Message: "context too long")
            : KeepNames(r);

        await fixture.Http.SendAsync(_session, "Remember: my name is Maravel.");
        for (var i = 2; i <= 60; i++)
        {
            await fixture.Http.SendAsync(_session, $"message {i}");
        }

        await Eventually.WaitAsync(() => Task.FromResult(fixture.Model.Requests.Any(IsSummary)), "the first summary request", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20));
        var sent = 60;
        while (SummaryOf(await fixture.Http.GetSessionAsync(_session)) is null && sent < 70)
        {
            await fixture.Http.SendAsync(_session, $"message {++sent}");
        }

        var summary = await WaitForSummaryAsync(_ => true);
        Assert.Equal("Kept: my name is Maravel", summary);
        var requests = fixture.Model.Requests.Where(IsSummary).ToList();
        Assert.True(requests.Count >= 2);
        Assert.True(requests[1].LastUserText.Length > requests[0].LastUserText.Length, "the retry carries the failed turns and the ones pruned since");
        Assert.Contains("User: Remember: my name is Maravel.", requests[1].LastUserText); // the failed turns were kept for the retry
        Assert.Contains("User: message 2\n", requests[1].LastUserText);
    }

    private async Task<string> WaitForSummaryAsync(Func<string, bool> holds)
    {
        var view = await Eventually.UntilAsync(
            () => fixture.Http.GetSessionAsync(_session),
            v => SummaryOf(v) is { } s && holds(s),
            "the session's summary",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(25));
        return SummaryOf(view)!;
    }

    private static string? SummaryOf(System.Text.Json.JsonElement view) =>
        view.TryGetProperty("summary", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.String ? s.GetString() : null;

    private static bool IsSummary(FakeCompletionRequest request) =>
        request.Messages.Count > 0 && request.Messages[0].Content?.StartsWith("Summarise the earlier conversation", StringComparison.Ordinal) == true;

    /// <summary>A summariser that keeps only the names it is told, in the previous summary and the turns.</summary>
    private static FakeResponse KeepNames(FakeCompletionRequest request)
    {
        var names = NameFact().Matches(request.LastUserText).Select(m => m.Value).Distinct().ToList();
        return new FakeResponse.Text(names.Count == 0 ? "Kept: nothing" : "Kept: " + string.Join("; ", names));
    }

    [GeneratedRegex(@"my name is \w+")]
    private static partial Regex NameFact();
}
