using System.Globalization;
using System.Net;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Monitoring;

/// <summary>
/// <c>Sessions:MaxActive</c>, the guide's "session limit reduction": past the cap a conversation
/// that is not active is turned away politely (HTTP 503 with Retry-After; Telegram a short busy
/// reply), the model not asked; active ones go on; an admin changes the cap at run time and it
/// holds across a restart; <c>/metrics</c> counts the refusals and <c>/resources/status</c> shows the cap.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class SessionCapTests : IAsyncLifetime
{
    private const string Key = "cap-key";
    private const long Chat = 5001;
    private FakeOpenAiServer _model = null!;
    private FakeTelegramServer _telegram = null!;
    private string _directory = null!;
    private Dictionary<string, string?> _settings = null!;
    private InProcessSilo _silo = null!;

    public async Task InitializeAsync()
    {
        _model = await FakeOpenAiServer.StartAsync();
        _telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        _settings = ModelSiloFixture.Settings(_model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(_telegram))
        {
            _settings[key] = value;
        }

        _settings["Telegram:AllowedUsers:2"] = Chat.ToString(CultureInfo.InvariantCulture);
        _settings["Admin:ApiKey"] = Key;
        _settings["Sessions:MaxActive"] = "2";
        _directory = TestPaths.NewTempDirectory("session-cap");
        _silo = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        await _telegram.DisposeAsync();
        await _model.DisposeAsync();
    }

    [Fact]
    public async Task Past_the_cap_a_new_session_is_turned_away_politely_and_active_ones_go_on_until_an_admin_raises_it_for_good()
    {
        // The Telegram user has talked before; their session was collected as idle since.
        var earlier = _telegram.SendUserMessage(Chat, Chat, "before the rush");
        await _telegram.WaitUntilAsync(Chat, m => m.Any(x => x.ReplyTo == earlier), "the first answer");
        await SessionClient.WaitUntilSettledAsync(_silo.Http, Chat);
        await _silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        await _silo.Http.SendAsync("first", "hello");
        await _silo.Http.SendAsync("second", "hello");
        var asked = _model.Requests.Count;

        using (var refused = await _silo.Http.PostRawAsync("/sessions/third/messages", """{"text":"hello"}"""))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("120", refused.Headers.RetryAfter?.ToString());
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("try again in a few minutes", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // In Telegram: a short busy reply, not an answer, for a returning user whose session is not active.
        var message = _telegram.SendUserMessage(Chat, Chat, "hi there");
        await _telegram.WaitUntilAsync(Chat, m => m.Any(x => x.ReplyTo == message), "the busy reply");
        Assert.Contains("try again in a few minutes", _telegram.RepliesTo(Chat, message).Single().Text, StringComparison.Ordinal);

        // The active sessions go on, and the model was asked for none of the refused.
        Assert.StartsWith("Echo:", (await _silo.Http.SendAsync("first", "again")).GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal(asked + 1, _model.Requests.Count);
        Assert.DoesNotContain(_model.Requests, r => r.LastUserText == "hi there");

        var metrics = new PrometheusText(await _silo.Http.GetStringAsync("/metrics"));
        Assert.Equal(1, metrics.Value("assistant_sessions_refused_total", ("channel", "api")));
        Assert.Equal(1, metrics.Value("assistant_sessions_refused_total", ("channel", "telegram")));
        var status = JsonDocument.Parse(await _silo.Http.GetStringAsync("/resources/status")).RootElement.GetProperty("session_limit");
        Assert.Equal(2, status.GetProperty("max_active").GetInt32());
        Assert.False(status.GetProperty("set_at_run_time").GetBoolean());

        // An admin raises it; without the key, or with a bad value, nothing changes.
        using (var anonymous = new HttpClient { BaseAddress = _silo.Http.BaseAddress })
        using (var denied = await anonymous.PostAsync("/sessions/limit", Json("""{"max_active": 10}""")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        using (var bad = await _silo.Http.PostAsync("/sessions/limit", Json("""{"max_active": -3}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("max_active", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var raised = await _silo.Http.PostAsync("/sessions/limit", Json("""{"max_active": 10}""")))
        {
            Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
            Assert.Equal(10, JsonDocument.Parse(await raised.Content.ReadAsStringAsync()).RootElement.GetProperty("max_active").GetInt32());
        }

        await _silo.Http.SendAsync("third", "hello");
        var answered = _telegram.SendUserMessage(Chat, Chat, "hi again");
        await _telegram.WaitUntilAsync(Chat, m => m.Any(x => x.ReplyTo == answered), "the answer");
        Assert.StartsWith("Echo: hi again", _telegram.RepliesTo(Chat, answered).Single().Text, StringComparison.Ordinal);

        // Across a restart the admin's cap holds, not the setting's.
        await _silo.DisposeAsync();
        _silo = await StartAsync();
        var limit = await Eventually.UntilAsync(
            async () => JsonDocument.Parse(await _silo.Http.GetStringAsync("/sessions/limit")).RootElement.Clone(),
            l => l.GetProperty("set_at_run_time").GetBoolean(), "the admin's cap to reach the restarted silo", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
        Assert.Equal(10, limit.GetProperty("max_active").GetInt32());
        Assert.Equal(2, limit.GetProperty("setting").GetInt32());
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private async Task<InProcessSilo> StartAsync()
    {
        var silo = await InProcessSilo.StartAsync(_directory, _settings);
        silo.Http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        await _telegram.WaitForCallsAsync(c => c.Method == "getUpdates" && c.Status == 200, _telegram.Calls.Count(c => c.Method == "getUpdates" && c.Status == 200) + 1, "a long poll", TimeSpan.FromSeconds(20));
        return silo;
    }
}
