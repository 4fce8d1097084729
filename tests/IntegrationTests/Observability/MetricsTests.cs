using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Assistant.Fakes;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Observability;

/// <summary>
/// The silo executable with an admin key, its Telegram channel on the fake Bot API, its model on the
/// fake OpenAI server and OTLP export to a fake collector: what <c>/metrics</c> shows after real
/// traffic, and which endpoints the key guards. Its own process, so no other silo's meters mix in.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class MetricsTests(MetricsTests.Service service) : IClassFixture<MetricsTests.Service>
{
    private const string Key = "metrics-test-key";
    private const long Chat = TelegramSiloFixture.Member;

    [Fact]
    public async Task Metrics_count_the_exchanges_the_service_made_with_no_chat_ids_in_labels()
    {
        // The tests of this class share the process and run one at a time: compare with before.
        var before = await service.ScrapeUntilAsync(_ => true, "an answer");
        service.Model.Enqueue(new FakeResponse.Status(429)); // the first model request is refused once, then retried
        service.Telegram.RetryAfterSeconds = 1;
        service.Telegram.TooManyRequestsForSends = 1;         // and so is the first reply
        service.Telegram.SendUserMessage(Chat, Chat, "hello");
        await service.Telegram.WaitUntilAsync(Chat, m => m.Any(x => x.Text.Contains("Echo: hello", StringComparison.Ordinal)), "the first reply");
        service.Telegram.SendUserMessage(Chat, Chat, "again");
        await service.Telegram.WaitUntilAsync(Chat, m => m.Any(x => x.Text.Contains("Echo: again", StringComparison.Ordinal)), "the second reply");

        // The second exchange takes the context over Sessions:MaxContextMessages (2), which prunes it.
        // The reply reaches the chat before the exchange is persisted and the grain counts it done,
        // so wait for the gauge to fall back: a reply that never counted itself finished fails here.
        var metrics = await service.ScrapeUntilAsync(m => m.Has("assistant_health_score_ratio")
            && m.Value("assistant_context_prunes_total", ("trigger", "window")) > before.Value("assistant_context_prunes_total", ("trigger", "window"))
            && m.Value("assistant_replies_in_progress", ("channel", "telegram")) == 0,
            "the prune, the first health cycle and no reply left in progress");

        double Added(string name, params (string, string)[] labels) => metrics.Value(name, labels) - before.Value(name, labels);
        Assert.Equal(1, Added("assistant_context_prunes_total", ("trigger", "window")));
        Assert.Equal(0, Added("assistant_context_prunes_total", ("trigger", "forced")));
        Assert.Equal(1, metrics.Value("assistant_telegram_api_calls_total", ("method", "sendMessage"), ("outcome", "rate_limited")));
        Assert.True(metrics.Value("assistant_telegram_api_calls_total", ("method", "sendMessage"), ("outcome", "ok")) >= 2);
        Assert.True(metrics.Value("assistant_telegram_api_calls_total", ("method", "getUpdates"), ("outcome", "ok")) >= 2);
        Assert.Equal(1, Added("assistant_rate_limited_total", ("upstream", "telegram")));
        Assert.Equal(1, Added("assistant_rate_limited_total", ("upstream", "model")));
        Assert.Equal(2, ModelRequests(metrics) - ModelRequests(before));
        Assert.Equal(1, Added("assistant_sessions_active"));
        Assert.Equal(2, Added("assistant_messages_total", ("channel", "telegram"), ("kind", "text")));
        Assert.Equal(0, Added("assistant_messages_total", ("channel", "telegram"), ("kind", "photo"))); // every kind is exported from the start
        Assert.True(metrics.Value("assistant_reply_duration_seconds_count", ("channel", "telegram"), ("kind", "text")) >= 2);
        Assert.Equal(0, metrics.Value("assistant_replies_in_progress", ("channel", "telegram")));
        Assert.Equal(0, metrics.Value("assistant_replies_in_progress", ("channel", "api")));
        Assert.InRange(metrics.Value("assistant_health_score_ratio"), 0.0, 1.0);
        Assert.Equal(0, metrics.Value("assistant_emergency_cleanups_total"));
        Assert.Equal(2, Added("assistant_messages_received_total", ("channel", "telegram")));
        Assert.Empty(service.Telegram.CallsInsideRetryWindows);
        Assert.Equal(0, Added("assistant_messages_received_total", ("channel", "api")));
        // Each message stored in the inbox, each exchange recorded, and the directory's rows: every
        // one a committed write, some of them sharing a commit.
        Assert.InRange(Added("assistant_storage_writes_total"), 4, 100);
        Assert.InRange(Added("assistant_storage_commits_total"), 1, Added("assistant_storage_writes_total"));
        Assert.Equal(0, metrics.Value("assistant_tool_calls_total", ("tool", "current_time"))); // every tool is exported from the start
        Assert.Equal(0, metrics.Value("assistant_telegram_dead_letters_total"));
        Assert.Equal(0, metrics.Value("assistant_emergency_mode"));
        Assert.Equal(0, metrics.Value("assistant_throttling"));
        Assert.Equal(1, metrics.Value("assistant_telegram_enabled"));
        Assert.Equal(1, metrics.Value("assistant_telegram_connected")); // this silo hosts the channel, which polls
        Assert.InRange(metrics.Value("assistant_telegram_last_poll_age_seconds"), 0, 30);
        Assert.InRange(metrics.Value("assistant_process_start_time_seconds"), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        foreach (var severity in new[] { "low", "medium", "high", "critical" })
        {
            // Every severity's series is exported from the start (alert rules need a series to rate), whatever has been raised.
            Assert.Single(metrics.Samples, s => s.Name == "assistant_alerts_total" && s.Labels.GetValueOrDefault("severity") == severity);
        }

        Assert.True(metrics.Has("orleans_catalog_activations"), "Orleans' own meters are exported");
        Assert.True(metrics.Has("http_server_request_duration_seconds_count"), "ASP.NET Core's request duration is exported");
        Assert.DoesNotContain(metrics.Samples, s => s.Labels.Values.Any(v => v.Contains(Chat.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        Assert.DoesNotContain(TelegramSiloFixture.Token.Split(':')[1], metrics.Text, StringComparison.Ordinal);

        // While a Telegram reply is being written, the gauge counts it under its channel.
        var release = new TaskCompletionSource();
        service.Model.Enqueue(new FakeResponse.Held(release.Task, "held answer"));
        var requests = service.Model.Requests.Count;
        service.Telegram.SendUserMessage(Chat, Chat, "hold on");
        await service.Model.WaitForRequestsAsync(requests + 1);
        var writing = await service.ScrapeUntilAsync(m => m.Value("assistant_replies_in_progress", ("channel", "telegram")) == 1, "the Telegram reply in progress");
        Assert.Equal(0, writing.Value("assistant_replies_in_progress", ("channel", "api")));
        release.SetResult();
        await service.Telegram.WaitUntilAsync(Chat, m => m.Any(x => x.Text.Contains("held answer", StringComparison.Ordinal)), "the held reply");
        await service.ScrapeUntilAsync(m => m.Value("assistant_replies_in_progress", ("channel", "telegram")) == 0, "the held reply finished");
    }

    [Fact]
    public async Task Streaming_metrics_show_the_interval_chosen_the_edits_per_reply_and_why_the_cadence_widened()
    {
        const long group = -100_555;
        var before = await service.ScrapeUntilAsync(m => m.Has("assistant_streaming_widened_total"), "the streaming series");

        // A reply streamed into a group over several seconds: the first part after a second, then
        // updates no closer than the group's interval (3 x 1 s), then the final text.
        service.Model.ChunkDelay = TimeSpan.FromMilliseconds(100);
        service.Model.Enqueue(new FakeResponse.Text(string.Join(' ', Enumerable.Range(0, 120).Select(i => $"w{i}")), ChunkSize: 8));
        int asked;
        try
        {
            asked = service.Telegram.SendUserMessage(group, Chat, $"@{FakeTelegramServer.BotUsername} tell me a long story", group: true);
            await service.Telegram.WaitUntilAsync(group, m => m.Any(x => x.ReplyTo == asked && x.Text.EndsWith("w119", StringComparison.Ordinal)), "the whole streamed reply", TimeSpan.FromSeconds(60));
        }
        finally
        {
            service.Model.ChunkDelay = TimeSpan.Zero;
        }

        var reply = service.Telegram.RepliesTo(group, asked).Single();
        // A histogram shows from its first record: before this test there may be none yet.
        static double Read(PrometheusText m, string name, (string, string)[] labels) => m.Has(name) ? m.Value(name, labels) : 0;
        var after = await service.ScrapeUntilAsync(
            m => Read(m, "assistant_streaming_edits_count", []) > Read(before, "assistant_streaming_edits_count", []), "the reply's edits");
        double Added(string name, params (string, string)[] labels) => Read(after, name, labels) - Read(before, name, labels);
        Assert.Equal(1, Added("assistant_streaming_edits_count"));
        Assert.Equal(reply.Edits.Count, Added("assistant_streaming_edits_sum"));
        Assert.True(reply.Edits.Count >= 2, $"{reply.Edits.Count} edits: a streamed update and the final text");
        var updates = Added("assistant_streaming_interval_seconds_count");
        Assert.Equal(reply.Edits.Count - 1, updates); // every edit but the final text's is a streamed update
        Assert.True(Added("assistant_streaming_interval_seconds_sum") / updates >= 3, "a group's interval is three times the base second");
        Assert.Equal(updates, Added("assistant_streaming_widened_total", ("reason", "group")));
        Assert.Equal(0, Added("assistant_streaming_widened_total", ("reason", "cpu")));
    }

    [Fact]
    public async Task With_an_admin_key_every_endpoint_but_the_health_probes_needs_it()
    {
        using var anonymous = new HttpClient { BaseAddress = service.Silo.Http.BaseAddress };
        foreach (var path in new[] { "/metrics", "/dashboard/", "/sessions/web-1", "/sessions/report", "/resources/status", "/telegram/status", "/restart/status", "/tasks", "/maintenance/mode", "/no-such-page" })
        {
            using var refused = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Basic", refused.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("admin API key", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var post = await anonymous.PostAsJsonAsync("/sessions/web-1/messages", new { text = "hi" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        }

        using (var reset = await anonymous.DeleteAsync("/sessions/web-1"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, reset.StatusCode);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            wrong.Headers.Add("X-Api-Key", "not-the-key");
            using var response = await anonymous.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // The key in each of the three places it may travel.
        using (var basic = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:" + Key)));
            using var response = await anonymous.SendAsync(basic);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        }

        using (var header = new HttpRequestMessage(HttpMethod.Get, "/dashboard/"))
        {
            header.Headers.Add("X-Api-Key", Key);
            using var response = await anonymous.SendAsync(header);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var bearer = new HttpRequestMessage(HttpMethod.Post, "/sessions/web-1/messages") { Content = JsonContent.Create(new { text = "hi" }) })
        {
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            using var response = await anonymous.SendAsync(bearer);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        foreach (var path in new[] { "/health", "/health/live", "/health/ready" })
        {
            using var open = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }
    }

    [Fact]
    public async Task Metrics_are_pushed_to_an_otlp_collector_when_one_is_configured()
    {
        var export = await service.Collector.WaitForAsync(
            body => Contains(body, "assistant.sessions.active") && Contains(body, "assistant.health.score_ratio"),
            TimeSpan.FromSeconds(30));

        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.True(Contains(export.Body, "Microsoft.Orleans"), "Orleans' meter travels with ours");
    }

    private static double ModelRequests(PrometheusText metrics) => metrics.Samples
        .Where(s => s.Name == "gen_ai_client_operation_duration_seconds_count" && s.Labels.GetValueOrDefault("gen_ai_request_model") == "fake-model")
        .Sum(s => s.Value);

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    [Fact]
    public async Task Every_series_the_Grafana_dashboard_queries_is_in_a_real_scrape()
    {
        var dashboard = GrafanaDashboard.Load();
        Assert.Equal("Assistant", dashboard.Title);
        Assert.True(dashboard.Expressions.Count >= 20, $"{dashboard.Expressions.Count} queries");

        // The spend series come with a model call (the cost) and a global budget's first reading (its share used).
        Assert.Equal("Echo: what does this cost?", await service.Telegram.AskAsync(TelegramSiloFixture.Member, TelegramSiloFixture.Member, "what does this cost?"));
        var metrics = await service.ScrapeUntilAsync(
            m => m.Has("assistant_health_score_ratio") && m.Has("assistant_telegram_connected") && m.Has("assistant_model_cost_usd_total") && m.Has("assistant_budget_used_ratio"),
            "the health score, the Telegram gauge and the spend series");

        var missing = dashboard.SeriesNames.Where(name => name != "up" && !metrics.Has(name)).ToList();
        Assert.True(missing.Count == 0, $"the dashboard queries series /metrics does not export: {string.Join(", ", missing)}");
        Assert.Contains("assistant_reply_duration_seconds_bucket", dashboard.SeriesNames);
    }

    public sealed class Service : IAsyncLifetime
    {
        public FakeTelegramServer Telegram { get; private set; } = null!;

        public FakeOpenAiServer Model { get; private set; } = null!;

        public FakeOtlpReceiver Collector { get; private set; } = null!;

        public SiloProcess Silo { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
            Model = await FakeOpenAiServer.StartAsync();
            Collector = await FakeOtlpReceiver.StartAsync();
            var settings = ModelSiloFixture.Settings(Model);
            foreach (var (key, value) in TelegramSiloFixture.Settings(Telegram))
            {
                settings[key] = value;
            }

            settings["Admin:ApiKey"] = Key;
            settings["Budgets:GlobalDaily"] = "1000"; // assistant_budget_used_ratio is reported for a budget that is set
            settings["Sessions:MaxContextMessages"] = "2";
            settings["Sessions:PressureContextMessages"] = "2";
            settings["Sessions:Summaries"] = "false"; // the model requests counted here are the exchanges' (SummaryTests count the summaries')
            settings["Monitoring:HealthIntervalSeconds"] = "1";
            settings["Telemetry:OtlpEndpoint"] = Collector.Endpoint;
            settings["Telemetry:OtlpProtocol"] = "http/protobuf";
            settings["Telemetry:OtlpExportIntervalSeconds"] = "1";
            settings["Logs:Console"] = "true";
            Silo = new SiloProcess(TestPaths.NewTempDirectory("metrics"), settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!));
            await Silo.StartAndWaitHealthyAsync();
            await Telegram.WaitForCallsAsync("getUpdates", 1);
        }

        /// <summary>Scrapes <c>/metrics</c> (with the key) until <paramref name="ready"/> holds.</summary>
        public async Task<PrometheusText> ScrapeUntilAsync(Func<PrometheusText, bool> ready, string what)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); // a budget's share is first read 15 s after the start
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
                request.Headers.Add("X-Api-Key", Key);
                using var response = await Silo.Http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                var metrics = new PrometheusText(await response.Content.ReadAsStringAsync());
                if (ready(metrics))
                {
                    return metrics;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"/metrics did not show {what} within 30 s:\n{metrics.Text}");
                }

                await Task.Delay(200);
            }
        }

        public async Task DisposeAsync()
        {
            await Silo.DisposeAsync();
            await Collector.DisposeAsync();
            await Model.DisposeAsync();
            await Telegram.DisposeAsync();
        }
    }
}
