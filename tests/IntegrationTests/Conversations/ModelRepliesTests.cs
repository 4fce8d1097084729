using System.Net;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Conversations;

/// <summary>Replies from a real OpenAI client against the fake server: answers, retries, failures, tools.</summary>
public sealed class ModelRepliesTests(ModelSiloFixture fixture) : IClassFixture<ModelSiloFixture>, IDisposable
{
    private readonly string _session = $"s-{Guid.NewGuid():N}";

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task A_message_gets_the_models_reply_and_the_model_sees_the_conversation()
    {
        var first = await fixture.Http.SendAsync(_session, "hi");
        var second = await fixture.Http.SendAsync(_session, "how are you?");

        Assert.Equal("Echo: hi", first.GetProperty("reply").GetString());
        Assert.Equal(2, first.GetProperty("message_count").GetInt32());
        Assert.True(first.GetProperty("response_ms").GetInt64() >= 0);
        Assert.Equal("Echo: how are you?", second.GetProperty("reply").GetString());
        Assert.Equal(4, second.GetProperty("message_count").GetInt32());

        var seen = fixture.Model.Requests.Last();
        Assert.Equal("Bearer test-key", seen.Authorization);
        Assert.Equal("fake-model", seen.Model);
        Assert.True(seen.Stream);
        Assert.Equal(["system", "user", "assistant", "user"], seen.Messages.Select(m => m.Role));
        Assert.Equal(["hi", "Echo: hi", "how are you?"], seen.Messages.Skip(1).Select(m => m.Content));
        Assert.Contains("current_time", seen.Tools);
        Assert.Contains("service_health", seen.Tools);
        Assert.Equal(1024, seen.MaxCompletionTokens);
    }

    [Fact]
    public async Task A_streamed_reply_arrives_as_deltas_in_order_and_ends_with_the_whole_reply()
    {
        var text = "The quick brown fox jumps over the lazy dog, then naps in the sun for a while.";
        fixture.Model.Enqueue(new FakeResponse.Text(text, ChunkSize: 5));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sessions/{_session}/messages")
        {
            Content = new StringContent("""{"text":"tell me a story"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await ServerSentEvents.ReadAllAsync(await response.Content.ReadAsStreamAsync());

        Assert.True(events.Count >= 3, $"expected several events, got {events.Count}");
        Assert.All(events[..^1], e => Assert.Equal("delta", e.EventType));
        Assert.Equal(text, string.Concat(events[..^1].Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("text").GetString())));
        var done = events[^1];
        Assert.Equal("done", done.EventType);
        using var doneBody = JsonDocument.Parse(done.Data);
        Assert.Equal(text, doneBody.RootElement.GetProperty("reply").GetString());
        Assert.Equal(2, doneBody.RootElement.GetProperty("message_count").GetInt32());
    }

    [Fact]
    public async Task Server_errors_and_rate_limits_are_retried_until_the_model_answers()
    {
        fixture.Model.Enqueue(new FakeResponse.Status(500), new FakeResponse.Status(429, RetryAfterSeconds: 1), new FakeResponse.Status(503));

        var reply = await fixture.Http.SendAsync(_session, "are you there?");

        Assert.Equal("Echo: are you there?", reply.GetProperty("reply").GetString());
        Assert.False(reply.TryGetProperty("failure", out _));
        Assert.Equal(4, fixture.Model.Requests.Count);
    }

    [Fact]
    public async Task When_retries_run_out_the_user_gets_an_apology_naming_the_failure_and_the_message_stays()
    {
        fixture.Model.Responder = _ => new FakeResponse.Status(429);

        var reply = await fixture.Http.SendAsync(_session, "please answer");

        Assert.Equal("rate_limited", reply.GetProperty("failure").GetString());
        Assert.Contains("rate-limiting", reply.GetProperty("reply").GetString());
        Assert.Equal(4, fixture.Model.Requests.Count); // the first try and three retries
        var session = await fixture.Http.GetSessionAsync(_session);
        Assert.Equal(["please answer"], SessionClient.Texts(session));
        Assert.Equal(1, session.GetProperty("statistics").GetProperty("errors_by_type").GetProperty("rate_limited").GetInt64());
    }

    [Fact]
    public async Task Garbage_from_the_model_is_an_invalid_response()
    {
        fixture.Model.Responder = _ => new FakeResponse.Garbage();

        var reply = await fixture.Http.SendAsync(_session, "hello?");

        Assert.Equal("invalid_response", reply.GetProperty("failure").GetString());
        Assert.Contains("couldn't read", reply.GetProperty("reply").GetString());
        var session = await fixture.Http.GetSessionAsync(_session);
        Assert.Equal(1, session.GetProperty("statistics").GetProperty("errors_by_type").GetProperty("invalid_response").GetInt64());
    }

    [Fact]
    public async Task A_model_that_never_answers_times_out()
    {
        fixture.Model.Delay = TimeSpan.FromSeconds(30);

        var reply = await fixture.Http.SendAsync(_session, "slow?");

        Assert.Equal("timeout", reply.GetProperty("failure").GetString());
        Assert.Contains("too long", reply.GetProperty("reply").GetString());
    }

    [Fact]
    public async Task The_model_can_call_the_built_in_tools_and_calls_are_counted_per_tool()
    {
        fixture.Model.Enqueue(new FakeResponse.ToolCall("current_time"));
        fixture.Model.Responder = request => new FakeResponse.Text($"It is {request.Messages.Last().Content}");

        var reply = await fixture.Http.SendAsync(_session, "what time is it?");

        var toolResult = fixture.Model.Requests.Last().Messages.Last();
        Assert.Equal("tool", toolResult.Role);
        Assert.Matches(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", toolResult.Content);
        Assert.StartsWith("It is ", reply.GetProperty("reply").GetString());
        var session = await fixture.Http.GetSessionAsync(_session);
        Assert.Equal(1, session.GetProperty("statistics").GetProperty("tool_calls").GetProperty("current_time").GetInt64());
        Assert.Equal(["what time is it?", reply.GetProperty("reply").GetString()!], SessionClient.Texts(session));
    }

    [Fact]
    public async Task Parallel_tool_calls_whose_arguments_stream_in_fragments_are_each_answered_in_order_and_counted()
    {
        fixture.Model.Enqueue(new FakeResponse.ToolCalls([new FakeResponse.ToolCall("current_time", """{"reason":"the user asked for the time"}"""), new FakeResponse.ToolCall("service_health", """{"detail":"short"}""")]));
        fixture.Model.Responder = request => new FakeResponse.Text($"Done with {request.Messages.Count(m => m.Role == "tool")} tools");

        var reply = await fixture.Http.SendAsync(_session, "time and health, please");

        // The follow-up carries the assistant's calls and then one tool message for each, as the endpoint requires (it refuses any other order).
        var followUp = fixture.Model.Requests.Last();
        Assert.Equal(["user", "assistant", "tool", "tool"], followUp.Messages.Skip(1).TakeLast(4).Select(m => m.Role));
        var calls = followUp.Body.GetProperty("messages").EnumerateArray().Single(m => m.TryGetProperty("tool_calls", out _)).GetProperty("tool_calls");
        Assert.Equal(["current_time", "service_health"], calls.EnumerateArray().Select(c => c.GetProperty("function").GetProperty("name").GetString()));
        var arguments = JsonDocument.Parse(calls[0].GetProperty("function").GetProperty("arguments").GetString()!).RootElement;
        Assert.Equal("the user asked for the time", arguments.GetProperty("reason").GetString()); // the fragments joined whole
        Assert.Equal("Done with 2 tools", reply.GetProperty("reply").GetString());
        var tools = (await fixture.Http.GetSessionAsync(_session)).GetProperty("statistics").GetProperty("tool_calls");
        Assert.Equal(1, tools.GetProperty("current_time").GetInt64());
        Assert.Equal(1, tools.GetProperty("service_health").GetInt64());
    }

    [Fact]
    public async Task A_model_name_the_endpoint_does_not_serve_gets_the_apology_that_names_the_refusal()
    {
        fixture.Model.Models = new HashSet<string> { "another-model" }; // Reset, after the test, serves the usual ones again

        var reply = await fixture.Http.SendAsync(_session, "anyone there?");

        Assert.Equal("rejected", reply.GetProperty("failure").GetString());
        Assert.Single(fixture.Model.Requests); // a refusal is not retried
    }

    [Fact]
    public async Task An_answer_cut_off_at_the_length_limit_says_so_and_the_context_keeps_what_the_model_wrote()
    {
        fixture.Model.Enqueue(new FakeResponse.Text("The first three reasons are: one, two, and", FinishReason: "length"));

        var reply = await fixture.Http.SendAsync(_session, "give me all the reasons");

        Assert.Equal("The first three reasons are: one, two, and\n\n(My answer was cut off here: it reached the length limit for one answer. Ask me to go on.)", reply.GetProperty("reply").GetString());
        Assert.False(reply.TryGetProperty("failure", out _)); // what the model wrote is an answer, only not a whole one
        Assert.Equal(["give me all the reasons", "The first three reasons are: one, two, and"], SessionClient.Texts(await fixture.Http.GetSessionAsync(_session)));
    }

    [Fact]
    public async Task The_models_Retry_After_is_waited_out_before_the_retry()
    {
        fixture.Model.Enqueue(new FakeResponse.Status(429, RetryAfterSeconds: 1));

        var reply = await fixture.Http.SendAsync(_session, "after a pause");

        Assert.Equal("Echo: after a pause", reply.GetProperty("reply").GetString());
        var (refused, retried) = (fixture.Model.Requests.First(), fixture.Model.Requests.Last());
        Assert.True(retried.At - refused.At >= TimeSpan.FromSeconds(0.95), $"retried {(retried.At - refused.At).TotalSeconds:0.00} s after a Retry-After of 1 s");
    }

    [Fact]
    public async Task The_health_tool_reports_the_services_health()
    {
        fixture.Model.Enqueue(new FakeResponse.ToolCall("service_health"));
        fixture.Model.Responder = request => new FakeResponse.Text($"Health: {request.Messages.Last().Content}");

        var reply = await fixture.Http.SendAsync(_session, "how are you doing, service?");

        Assert.Contains("Health score", reply.GetProperty("reply").GetString());
        var session = await fixture.Http.GetSessionAsync(_session);
        Assert.Equal(1, session.GetProperty("statistics").GetProperty("tool_calls").GetProperty("service_health").GetInt64());
    }

    [Fact]
    public async Task The_report_counts_this_sessions_replies_errors_and_tool_calls()
    {
        long errorsBefore;
        using (var before = JsonDocument.Parse(await fixture.Http.GetStringAsync("/sessions/report")))
        {
            errorsBefore = before.RootElement.GetProperty("errors").GetProperty("by_type").TryGetProperty("invalid_response", out var e) ? e.GetInt64() : 0;
        }

        await fixture.Http.SendAsync(_session, "one");
        fixture.Model.Enqueue(new FakeResponse.Garbage());
        await fixture.Http.SendAsync(_session, "two");

        // This session's own figures are exact; the report's, over the fixture's shared silo, grow by them at least.
        var statistics = (await fixture.Http.GetSessionAsync(_session)).GetProperty("statistics");
        Assert.Equal(1, statistics.GetProperty("replies").GetInt64());
        Assert.Equal(1, statistics.GetProperty("errors_by_type").GetProperty("invalid_response").GetInt64());

        using var response = await fixture.Http.GetAsync("/sessions/report");
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = report.RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(root.GetProperty("active_sessions").GetInt32() >= 1);
        Assert.Empty(root.GetProperty("memory").GetProperty("largest").EnumerateArray()); // no admin key: aggregates only, no session ids
        Assert.True(root.GetProperty("response_time_ms").GetProperty("samples").GetInt64() >= 1);
        Assert.True(root.GetProperty("errors").GetProperty("by_type").GetProperty("invalid_response").GetInt64() >= errorsBefore + 1);
        Assert.Equal(7, root.GetProperty("session_duration").EnumerateObject().Count());
    }
}
