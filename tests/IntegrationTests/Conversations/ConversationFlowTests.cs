using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Conversations;

/// <summary>The context window, ordering, cancelling, and refusing bad input.</summary>
public sealed class ConversationFlowTests(ModelSiloFixture fixture) : IClassFixture<ModelSiloFixture>, IDisposable
{
    private readonly string _session = $"flow-{Guid.NewGuid():N}";

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task After_150_exchanges_exactly_the_last_100_messages_remain_as_whole_turns()
    {
        for (var i = 1; i <= 150; i++)
        {
            await fixture.Http.SendAsync(_session, $"message {i}");
        }

        var session = await fixture.Http.GetSessionAsync(_session);
        var texts = SessionClient.Texts(session);
        var roles = SessionClient.Roles(session);

        Assert.Equal(100, session.GetProperty("message_count").GetInt32());
        Assert.Equal(100, texts.Length);
        for (var i = 0; i < 100; i += 2)
        {
            var n = 101 + (i / 2);
            Assert.Equal(("user", $"message {n}"), (roles[i], texts[i]));
            Assert.Equal(("assistant", $"Echo: message {n}"), (roles[i + 1], texts[i + 1]));
        }

        // The system prompt still leads what the model sees, then the summary of what was pruned.
        var lastPrompt = fixture.Model.Requests.Last(r => r.LastUserText == "message 150").Messages;
        Assert.Equal("system", lastPrompt[0].Role);
        var summary = lastPrompt[1].Role == "system" ? 1 : 0;
        Assert.Equal(99, lastPrompt.Count - 1 - summary); // the window before the reply: 49 whole turns and the new question
    }

    [Fact]
    public async Task Two_messages_sent_together_are_answered_one_after_the_other_in_arrival_order()
    {
        var release = new TaskCompletionSource();
        fixture.Model.Enqueue(new FakeResponse.Held(release.Task, "first answer"), new FakeResponse.Text("second answer"));

        var first = fixture.Http.SendAsync(_session, "first question");
        await fixture.Model.WaitForRequestsAsync(1);
        var second = fixture.Http.SendAsync(_session, "second question");
        var view = await fixture.Http.GetSessionAsync(_session);
        Assert.True(view.GetProperty("replying").GetBoolean());
        await Eventually.WaitAsync(async () => (await fixture.Http.GetSessionAsync(_session)).GetProperty("queued").GetInt32() == 1, "the second question to be queued", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20));

        // The second question waits: the model has not seen it while the first reply is held.
        Assert.Single(fixture.Model.Requests);
        Assert.False(second.IsCompleted);
        release.SetResult();

        Assert.Equal("first answer", (await first).GetProperty("reply").GetString());
        Assert.Equal("second answer", (await second).GetProperty("reply").GetString());
        var session = await fixture.Http.GetSessionAsync(_session);
        Assert.Equal(["first question", "first answer", "second question", "second answer"], SessionClient.Texts(session));
    }

    [Fact]
    public async Task Cancel_stops_the_reply_in_progress_and_keeps_the_question()
    {
        var never = new TaskCompletionSource();
        fixture.Model.Enqueue(new FakeResponse.HeldMidStream("Partial answer", never.Task, " that never ends"));

        var pending = fixture.Http.SendAsync(_session, "start something long");
        await fixture.Model.WaitForRequestsAsync(1);
        using var cancel = await fixture.Http.PostAsync($"/sessions/{_session}/cancel", null);
        var reply = await pending;

        Assert.True(JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement.GetProperty("cancelled").GetBoolean());
        Assert.Equal("cancelled", reply.GetProperty("failure").GetString());
        var session = await fixture.Http.GetSessionAsync(_session);
        Assert.Equal("start something long", SessionClient.Texts(session)[0]);
        Assert.Equal(1, session.GetProperty("statistics").GetProperty("cancelled").GetInt64());
    }

    [Fact]
    public async Task Delete_resets_the_conversation()
    {
        await fixture.Http.SendAsync(_session, "remember this");

        using var delete = await fixture.Http.DeleteAsync($"/sessions/{_session}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var session = await fixture.Http.GetSessionAsync(_session);
        Assert.Equal(0, session.GetProperty("message_count").GetInt32());
        Assert.Equal(1, session.GetProperty("statistics").GetProperty("replies").GetInt64());
    }

    [Theory]
    [InlineData("""{"text":""}""", "text")]
    [InlineData("""{"text":"   \n\t "}""", "text")]
    [InlineData("""{"message":"wrong field"}""", "text")]
    [InlineData("""{"text":"unterminated""", null)]
    [InlineData("not json at all", null)]
    [InlineData("[1,2,3]", null)]
    public async Task Bad_bodies_get_400_with_a_problem_and_store_nothing(string body, string? field)
    {
        using var response = await fixture.Http.PostRawAsync($"/sessions/{_session}/messages", body);

        await AssertProblemAsync(response, field);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Text_over_the_limit_gets_400_and_stores_nothing()
    {
        using var response = await fixture.Http.PostAsJsonAsync($"/sessions/{_session}/messages", new { text = new string('x', 16_001) });

        await AssertProblemAsync(response, "text");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_session_id_over_128_characters_gets_400_and_reaches_no_model()
    {
        var longId = new string('a', 129);
        using var response = await fixture.Http.PostAsJsonAsync($"/sessions/{longId}/messages", new { text = "hi" });

        await AssertProblemAsync(response, "id");
        Assert.Empty(fixture.Model.Requests);
    }

    private async Task AssertNothingStoredAsync()
    {
        var session = await fixture.Http.GetSessionAsync(_session);
        Assert.Equal(0, session.GetProperty("message_count").GetInt32());
        Assert.Equal(0, session.GetProperty("statistics").GetProperty("messages_received").GetInt64());
        Assert.Empty(fixture.Model.Requests);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string? field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        if (field is not null)
        {
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), body);
        }
        else
        {
            Assert.Contains("JSON", problem.RootElement.GetProperty("detail").GetString());
        }
    }
}
