using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>Calls the sessions API the way a user of it would, with curl-like requests.</summary>
public static class SessionClient
{
    public static async Task<JsonElement> SendAsync(this HttpClient http, string session, string text)
    {
        using var response = await http.PostAsJsonAsync($"/sessions/{session}/messages", new { text });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /sessions/{session}/messages answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> GetSessionAsync(this HttpClient http, string session)
    {
        using var response = await http.GetAsync($"/sessions/{session}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /sessions/{session} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A Telegram chat's conversation, through the admin-only <c>/telegram/chats/{id}</c> (the client must carry the key).</summary>
    public static async Task<JsonElement> GetTelegramChatAsync(this HttpClient http, long chatId)
    {
        using var response = await http.GetAsync($"/telegram/chats/{chatId}");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    public static async Task<HttpResponseMessage> PostRawAsync(this HttpClient http, string path, string body, string contentType = "application/json") =>
        await http.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    /// <summary>
    /// Waits until the session has nothing in hand: no reply in progress, nothing queued, no
    /// Telegram message unanswered (its state is saved). Bounded; no event announces it.
    /// </summary>
    public static Task WaitUntilSettledAsync(HttpClient http, string session, TimeSpan? timeout = null) =>
        WaitUntilSettledAsync(() => http.GetSessionAsync(session), session, timeout);

    /// <summary>The same for a Telegram chat, through <c>/telegram/chats/{id}</c>.</summary>
    public static Task WaitUntilSettledAsync(HttpClient http, long chatId, TimeSpan? timeout = null) =>
        WaitUntilSettledAsync(() => http.GetTelegramChatAsync(chatId), $"tg:{chatId}", timeout);

    private static async Task WaitUntilSettledAsync(Func<Task<JsonElement>> read, string session, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var view = await read();
            if (!view.GetProperty("replying").GetBoolean() && view.GetProperty("queued").GetInt32() == 0 && view.GetProperty("telegram_pending").GetInt32() == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Session {session} did not settle: {view}");
            }

            await Task.Delay(20);
        }
    }

    public static string[] Texts(JsonElement session) =>
        [.. session.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()!)];

    public static string[] Roles(JsonElement session) =>
        [.. session.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()!)];
}
