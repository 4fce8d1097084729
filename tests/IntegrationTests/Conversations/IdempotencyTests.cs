using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Orleans.Core.Internal;

namespace Assistant.IntegrationTests.Conversations;

/// <summary>
/// <c>POST /sessions/{id}/messages</c> with an <c>Idempotency-Key</c>: a client that times out and
/// sends again, or a retry after a lost silo, gets the first reply; the model is asked once and the
/// context holds the exchange once.
/// </summary>
public sealed class IdempotencyTests(ModelSiloFixture fixture) : IClassFixture<ModelSiloFixture>, IDisposable
{
    private readonly string _session = $"idem-{Guid.NewGuid():N}";

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task A_repeat_with_the_same_key_gets_the_first_reply_and_the_model_is_asked_once_even_after_the_session_was_deactivated()
    {
        var (status, first) = await SendAsync("what is 2+2?", "key-1");
        Assert.Equal(HttpStatusCode.OK, status);

        // The session leaves memory: the kept reply is in its stored state.
        await fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Api(_session)).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var (againStatus, again) = await SendAsync("what is 2+2?", "key-1");

        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.Equal(first.GetProperty("reply").GetString(), again.GetProperty("reply").GetString());
        Assert.Equal(first.GetProperty("message_count").GetInt32(), again.GetProperty("message_count").GetInt32());
        Assert.Single(fixture.Model.Requests, r => r.LastUserText == "what is 2+2?");
        Assert.Equal(["what is 2+2?", "Echo: what is 2+2?"], SessionClient.Texts(await fixture.Http.GetSessionAsync(_session)));

        // Another key is another message.
        var (_, other) = await SendAsync("what is 2+2?", "key-2");
        Assert.Equal(4, other.GetProperty("message_count").GetInt32());
    }

    [Fact]
    public async Task A_repeat_while_the_first_is_being_answered_waits_for_it_and_the_context_holds_the_exchange_once()
    {
        var release = new TaskCompletionSource();
        fixture.Model.Enqueue(new FakeResponse.Held(release.Task, "the one answer"));
        var first = SendAsync("slow question", "same");
        await fixture.Model.WaitForRequestsAsync(1);
        var second = SendAsync("slow question", "same");
        var third = SendAsync("slow question", "same");

        release.SetResult();
        var replies = await Task.WhenAll(first, second, third);

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.All(replies, r => Assert.Equal("the one answer", r.Body.GetProperty("reply").GetString()));
        Assert.Single(fixture.Model.Requests, r => r.LastUserText == "slow question");
        Assert.Equal(["slow question", "the one answer"], SessionClient.Texts(await fixture.Http.GetSessionAsync(_session)));
    }

    [Fact]
    public async Task A_failed_exchange_is_not_kept_so_the_same_key_asks_again()
    {
        fixture.Model.Enqueue(new FakeResponse.Status(500), new FakeResponse.Status(500), new FakeResponse.Status(500), new FakeResponse.Status(500));
        var (_, failed) = await SendAsync("try me", "retry-key");
        Assert.True(failed.TryGetProperty("failure", out var failure) && failure.ValueKind == JsonValueKind.String, failed.ToString());

        var (_, answered) = await SendAsync("try me", "retry-key");
        Assert.Equal("Echo: try me", answered.GetProperty("reply").GetString());
        var (_, repeated) = await SendAsync("try me", "retry-key");
        Assert.Equal("Echo: try me", repeated.GetProperty("reply").GetString());
        Assert.Equal(5, fixture.Model.Requests.Count(r => r.LastUserText == "try me")); // four failed attempts, one answer, no more
    }

    [Fact]
    public async Task A_key_used_for_another_message_is_422_and_a_malformed_key_is_400_naming_the_header()
    {
        await SendAsync("first message", "k");
        var (reusedStatus, reused) = await SendAsync("a different message", "k");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reusedStatus);
        Assert.Contains("already used for a different message", reused.GetProperty("detail").GetString());

        var (badStatus, bad) = await SendAsync("hello", new string('x', 300));
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.True(bad.GetProperty("errors").TryGetProperty("idempotency-key", out _), bad.ToString());
        Assert.Single(fixture.Model.Requests, r => r.LastUserText == "first message");
        Assert.DoesNotContain(fixture.Model.Requests, r => r.LastUserText is "a different message" or "hello");
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(string text, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sessions/{_session}/messages") { Content = JsonContent.Create(new { text }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        using var response = await fixture.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }
}
