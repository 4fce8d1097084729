using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;

namespace Assistant.IntegrationTests.Privacy;

/// <summary>
/// A Telegram user's conversation cannot be read, wiped or written through the sessions API, even
/// with the id a caller can guess (a private chat's id is its user's id).
/// </summary>
public sealed class KeySpaceTests(TelegramSiloFixture fixture) : IClassFixture<TelegramSiloFixture>
{
    private const long Chat = TelegramSiloFixture.Member; // a private chat: its id is the user's

    [Fact]
    public async Task A_private_chat_stays_private_over_HTTP_read_delete_and_write()
    {
        var asked = fixture.Telegram.SendUserMessage(Chat, TelegramSiloFixture.Member, "my pin is 4711");
        await fixture.Telegram.WaitUntilAsync(Chat, m => m.Any(x => x.ReplyTo == asked), "the answer");
        var telegram = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(Chat));
        await Eventually.WaitAsync(async () => (await telegram.GetAsync()).MessageCount == 2, "the exchange to be recorded", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        // Read: the id reaches the API's own (empty) session, not the chat.
        var id = Chat.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var read = await fixture.Silo.Http.GetAsync($"/sessions/{id}"))
        {
            var body = await read.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.DoesNotContain("4711", body, StringComparison.Ordinal);
            Assert.Equal(0, JsonDocument.Parse(body).RootElement.GetProperty("message_count").GetInt32());
        }

        // Delete and write: the chat keeps what it had, and holds nothing written over HTTP.
        using (var delete = await fixture.Silo.Http.DeleteAsync($"/sessions/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        await fixture.Silo.Http.SendAsync(id, "injected over http");
        var view = await telegram.GetAsync();
        Assert.Equal(["my pin is 4711", "Echo: my pin is 4711"], view.Messages.Select(m => m.Text));

        // The chat's next question reaches the model with its own history only.
        var next = fixture.Telegram.SendUserMessage(Chat, TelegramSiloFixture.Member, "what did I say?");
        await fixture.Telegram.WaitUntilAsync(Chat, m => m.Any(x => x.ReplyTo == next), "the second answer");
        var request = fixture.Model.Requests.Last(r => r.LastUserText == "what did I say?");
        Assert.DoesNotContain(request.Messages, m => (m.Content ?? "").Contains("injected", StringComparison.Ordinal));
        Assert.Contains(request.Messages, m => (m.Content ?? "").Contains("4711", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_operator_route_to_a_chat_needs_a_configured_key()
    {
        // This fixture has no admin key: the one HTTP route to a Telegram conversation stays shut.
        using var response = await fixture.Silo.Http.GetAsync($"/telegram/chats/{Chat}");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_grain_in_the_wrong_key_space_refuses_the_message()
    {
        var api = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Api("someone"));
        var incoming = new Assistant.Telegram.TelegramIncoming(1, Chat, 1, Chat, "Ann", false, Assistant.Telegram.TelegramContent.Text, "hello", null, DateTimeOffset.UtcNow);
        await Assert.ThrowsAsync<ArgumentException>(() => api.DeliverAsync(incoming));
        var telegram = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(Chat + 7));
        await Assert.ThrowsAsync<ArgumentException>(() => telegram.DeliverAsync(incoming));
        await Assert.ThrowsAsync<ArgumentException>(() => telegram.AskAsync(new ChatRequest("hello")));
        var bare = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Silo.Grains.GetGrain<IChatSessionGrain>("4711").GetAsync());
        Assert.Contains("is not a session key", bare.ToString(), StringComparison.Ordinal);
    }
}
