using System.Globalization;
using System.Net;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Privacy;

/// <summary>
/// A service with no admin key, as a newcomer runs it and as an operator runs it behind the
/// documented reverse proxy: a caller that is not on this machine (the proxy's forwarded headers
/// say where it is) reaches only the probes and the webhook; a caller on it sees no Telegram user
/// id, chat id or message text in any payload it can get, whatever failed.
/// </summary>
public sealed class AnonymousViewTests(AnonymousViewTests.Service service) : IClassFixture<AnonymousViewTests.Service>
{
    private const long Admin = 7_301_234_561;
    private const long Member = 7_301_234_562;
    private const long Blocker = 7_301_234_563;
    private const long Group = -1_007_301_234_564;
    private const string Secret = "my-pin-is-48151623";

    /// <summary>Every endpoint a caller can name, with the one answer each gives a local caller without a key.</summary>
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/sessions/demo" },
        { "POST", "/sessions/demo/messages" },
        { "DELETE", "/sessions/demo" },
        { "POST", "/sessions/demo/cancel" },
        { "GET", "/sessions/report" },
        { "GET", "/telegram/status" },
        { "GET", "/resources/status" },
        { "GET", "/resources/trends" },
        { "GET", "/restart/status" },
        { "GET", "/maintenance/mode" },
        { "GET", "/tasks" },
        { "GET", "/metrics" },
        { "GET", "/console" },
        { "GET", "/openapi/v1.json" },
        { "GET", "/dashboard/" },
        { "GET", "/dashboard/DashboardCounters" },
        { "GET", "/no/such/path" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_remote_caller_without_a_key_gets_401_with_a_problem_body(string method, string path)
    {
        foreach (var (header, value) in RemoteHeaders)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            request.Headers.TryAddWithoutValidation(header, value);
            if (method == "POST")
            {
                request.Content = new StringContent("""{"text":"hi"}""", System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await service.Silo.Http.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {header}: {value} answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("protected mode", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The same request from this machine is served.
        using var local = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            local.Content = new StringContent("""{"text":"hi"}""", System.Text.Encoding.UTF8, "application/json");
        }

        using var served = await service.Silo.Http.SendAsync(local);
        Assert.NotEqual(HttpStatusCode.Unauthorized, served.StatusCode);
    }

    [Fact]
    public async Task A_remote_caller_without_a_key_reaches_the_probes_and_the_webhook()
    {
        foreach (var path in new[] { "/health", "/health/live", "/health/ready" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            using var response = await service.Silo.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
        }

        // The webhook checks its own secret: a remote caller without it gets that refusal, not protected mode's.
        using var webhook = new HttpRequestMessage(HttpMethod.Post, "/telegram/webhook") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        webhook.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var refused = await service.Silo.Http.SendAsync(webhook);
        Assert.DoesNotContain("protected mode", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_start_up_line_says_which_access_mode_is_in_force()
    {
        var log = await Eventually.UntilAsync(
            () => Task.FromResult(File.ReadAllText(Path.Combine(service.Silo.Directory, "logs", "system.log"))),
            text => text.Contains("🚀 Access:", StringComparison.Ordinal), "the access line", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.Contains("🚀 Access: protected mode (no Admin:ApiKey): callers on this machine only", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_anonymous_payload_names_a_telegram_user_a_chat_or_a_message_text()
    {
        await service.TrafficAsync();

        var payloads = new Dictionary<string, string>();
        foreach (var path in new[]
        {
            "/health", "/health/live", "/health/ready", "/telegram/status", "/resources/status?history=2880", "/resources/trends?days=30",
            "/restart/status", "/sessions/report", "/sessions/report?largest=100", "/maintenance/mode", "/tasks?limit=100", "/metrics", "/console",
            "/telegram/dead-letters", $"/telegram/chats/{Member}",
            "/dashboard/DashboardCounters", "/dashboard/ClusterStats", "/dashboard/Reminders", "/dashboard/GrainTypes", "/dashboard/TopGrainMethods",
        })
        {
            payloads[path] = await service.Silo.Http.GetStringAsync(path).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : $"({t.Exception?.GetBaseException().Message})");
        }

        // Every grain type's statistics, every silo's figures, and a grain's state by its key.
        foreach (var type in JsonDocument.Parse(payloads["/dashboard/GrainTypes"]).RootElement.EnumerateArray().Select(t => t.GetString()!))
        {
            payloads[$"/dashboard/GrainStats/{type}"] = await service.Silo.Http.GetStringAsync($"/dashboard/GrainStats/{Uri.EscapeDataString(type)}");
        }

        foreach (var silo in JsonDocument.Parse(payloads["/dashboard/DashboardCounters"]).RootElement.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("siloAddress").GetString()!))
        {
            foreach (var route in new[] { "SiloStats", "SiloCounters", "SiloProperties", "HistoricalStats" })
            {
                payloads[$"/dashboard/{route}/{silo}"] = await service.Silo.Http.GetStringAsync($"/dashboard/{route}/{Uri.EscapeDataString(silo)}");
            }
        }

        using var state = await service.Silo.Http.GetAsync($"/dashboard/GrainState?grainId=tg:{Member}&grainType=Assistant.Sessions.ChatSessionGrain");
        payloads["/dashboard/GrainState"] = await state.Content.ReadAsStringAsync();

        // The failures this traffic caused are there to be shown, only not by id.
        var status = JsonDocument.Parse(payloads["/resources/status?history=2880"]).RootElement;
        Assert.NotNull(status.GetProperty("alert_delivery").GetProperty("last_failure").GetString());

        foreach (var (path, body) in payloads)
        {
            foreach (var id in new[] { Admin, Member, Blocker, Group, -Group })
            {
                Assert.False(body.Contains(id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), $"{path} names {id}: {Around(body, id.ToString(CultureInfo.InvariantCulture))}");
            }

            Assert.False(body.Contains(Secret, StringComparison.Ordinal), $"{path} shows a message's text: {Around(body, Secret)}");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, state.StatusCode); // a grain's state is for key holders only
    }

    private static readonly (string Header, string Value)[] RemoteHeaders =
    [
        ("X-Forwarded-For", "203.0.113.7"),
        ("X-Forwarded-For", "127.0.0.1, 203.0.113.7"), // a forged first hop, as nginx's $proxy_add_x_forwarded_for passes it on
        ("X-Forwarded-For", "203.0.113.7, 127.0.0.1"), // two proxies on this machine: a tunnel in front of nginx
        ("X-Real-IP", "203.0.113.7"),
        ("Forwarded", "for=203.0.113.7;proto=https"),
        ("Forwarded", "for=\"[2001:db8::7]:4711\""),
    ];

    private static string Around(string body, string needle)
    {
        var at = body.IndexOf(needle, StringComparison.Ordinal);
        return body.Substring(Math.Max(0, at - 120), Math.Min(body.Length - Math.Max(0, at - 120), 240 + needle.Length));
    }

    /// <summary>A Telegram service with no admin key, its ids distinctive enough to be found in any text.</summary>
    public sealed class Service : IAsyncLifetime
    {
        public FakeTelegramServer Telegram { get; private set; } = null!;

        public FakeOpenAiServer Model { get; private set; } = null!;

        public InProcessSilo Silo { get; private set; } = null!;

        private readonly SemaphoreSlim _traffic = new(1, 1);
        private bool _done;

        public async Task InitializeAsync()
        {
            Telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
            Telegram.BlockedChats[Admin] = true; // from the first health cycle on, alerts to the admin fail
            Model = await FakeOpenAiServer.StartAsync();
            var settings = ModelSiloFixture.Settings(Model);
            foreach (var (key, value) in TelegramSiloFixture.Settings(Telegram))
            {
                settings[key] = value;
            }

            settings["Telegram:AdminUsers:0"] = Admin.ToString(CultureInfo.InvariantCulture);
            settings["Telegram:AllowedUsers:0"] = Admin.ToString(CultureInfo.InvariantCulture);
            settings["Telegram:AllowedUsers:1"] = Member.ToString(CultureInfo.InvariantCulture);
            settings["Telegram:AllowedUsers:2"] = Blocker.ToString(CultureInfo.InvariantCulture);
            settings["Monitoring:HealthScoreWarning"] = "100"; // every cycle raises health_degraded, delivered to the admin
            settings["Monitoring:AlertDeliveryAttempts"] = "1";
            settings["Monitoring:HealthScoreSustainedSeconds"] = "0";
            Silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("anonymous-view"), settings);
            await Telegram.WaitForCallsAsync("getUpdates", 1);
        }

        /// <summary>
        /// Answered messages in a private chat and a group, a user who blocked the bot, an alert the
        /// admin's chat refuses, a session over HTTP: once for the class.
        /// </summary>
        public async Task TrafficAsync()
        {
            await _traffic.WaitAsync();
            try
            {
                if (_done)
                {
                    return;
                }

                var asked = Telegram.SendUserMessage(Member, Member, $"remember {Secret}");
                await Telegram.WaitUntilAsync(Member, m => m.Any(x => x.ReplyTo == asked), "the member's answer");
                var mention = Telegram.SendUserMessage(Group, Member, $"@{FakeTelegramServer.BotUsername} {Secret} in the group", group: true);
                await Telegram.WaitUntilAsync(Group, m => m.Any(x => x.ReplyTo == mention), "the group's answer");

                Telegram.BlockedChats[Blocker] = true;
                Telegram.SendUserMessage(Blocker, Blocker, $"{Secret} then block");
                await Telegram.WaitUntilCallAsync(c => c.Method == "sendMessage" && c.Status == 403 && c.ChatId == Blocker, "the blocked reply");

                await Eventually.WaitAsync(
                    async () => JsonDocument.Parse(await Silo.Http.GetStringAsync("/resources/status")).RootElement.GetProperty("alert_delivery").GetProperty("last_failure").ValueKind == JsonValueKind.String,
                    "the alert to the admin to fail", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));

                using var http = await Silo.Http.PostAsync("/sessions/demo/messages", new StringContent($$"""{"text":"{{Secret}} over http"}""", System.Text.Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, http.StatusCode);
                _done = true;
            }
            finally
            {
                _traffic.Release();
            }
        }

        public async Task DisposeAsync()
        {
            await Silo.DisposeAsync();
            await Telegram.DisposeAsync();
            await Model.DisposeAsync();
        }
    }
}
