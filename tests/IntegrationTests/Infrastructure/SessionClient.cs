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

    public static async Task<HttpResponseMessage> PostRawAsync(this HttpClient http, string path, string body, string contentType = "application/json") =>
        await http.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    public static string[] Texts(JsonElement session) =>
        [.. session.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()!)];

    public static string[] Roles(JsonElement session) =>
        [.. session.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()!)];
}
