using System.Net;
using System.Text;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>The HTTP surface's limits: request bodies over Api:MaxBodyBytes, and wrong admin keys per client address.</summary>
public sealed class ApiLimitsTests : IAsyncLifetime
{
    private const string Key = "limits-key";
    private FakeOpenAiServer _model = null!;
    private InProcessSilo _silo = null!;

    public async Task InitializeAsync()
    {
        _model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(_model);
        settings["Admin:ApiKey"] = Key;
        _silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("limits"), settings);
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        await _model.DisposeAsync();
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_with_a_problem_body_before_it_is_read()
    {
        var big = JsonSerializer.Serialize(new { text = new string('x', 5 * 1024 * 1024) });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sessions/too-big/messages") { Content = new StringContent(big, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", Key);
        request.Headers.ExpectContinue = true; // as curl sends a large body: the server answers before any of it is sent

        using var response = await _silo.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Api:MaxBodyBytes", await response.Content.ReadAsStringAsync());
        Assert.Empty(_model.Requests);

        // A client that accepts no JSON still gets the 413, not a failure to write the problem body.
        using var plain = new HttpRequestMessage(HttpMethod.Post, "/sessions/too-big/messages") { Content = new StringContent(big, Encoding.UTF8, "application/json") };
        plain.Headers.Add("X-Api-Key", Key);
        plain.Headers.ExpectContinue = true;
        plain.Headers.Accept.ParseAdd("text/plain");
        using var refused = await _silo.Http.SendAsync(plain);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("Api:MaxBodyBytes", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_chunked_body_is_cut_off_at_the_limit_with_413()
    {
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { text = new string('y', 100 * 1024) }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sessions/chunked/messages") { Content = new StreamContent(new UnknownLengthStream(body)) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Api-Key", Key);

        using var response = await _silo.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Api:MaxBodyBytes", await response.Content.ReadAsStringAsync());
        Assert.Empty(_model.Requests);
    }

    [Fact]
    public async Task Wrong_keys_from_one_address_end_in_429_for_that_address_only()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var attempt = new HttpRequestMessage(HttpMethod.Post, "/resources/cleanup");
            attempt.Headers.Add("X-Api-Key", $"guess-{i}");
            using var response = await _silo.Http.SendAsync(attempt);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(int.Parse(response.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 10), statuses.Take(10));
        Assert.All(statuses.Skip(10), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // Locked out, the right key is refused too, so guessing cannot go on behind the 429s.
        using (var right = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            right.Headers.Add("X-Api-Key", Key);
            Assert.Equal(HttpStatusCode.TooManyRequests, (await _silo.Http.SendAsync(right)).StatusCode);
        }

        // Another address is not affected, and the metrics count the failures.
        using var other = LoopbackClient.From(IPAddress.Parse("127.0.0.2"), _silo.Http.BaseAddress!);
        other.DefaultRequestHeaders.Add("X-Api-Key", Key);
        // (The largest series: other in-process silos of this test run export theirs through the same meter name.)
        var metrics = new PrometheusText(await other.GetStringAsync("/metrics"));
        Assert.True(metrics.Samples.Where(m => m.Name == "assistant_auth_failures_total").Max(m => m.Value) >= 10);
        Assert.True(metrics.Samples.Where(m => m.Name == "assistant_auth_rate_limited_total").Max(m => m.Value) >= 31);
    }

    [Fact]
    public async Task With_a_key_configured_the_sessions_report_needs_it_and_names_sessions_by_key_space()
    {
        using (var message = new HttpRequestMessage(HttpMethod.Post, "/sessions/tg-like-12345/messages") { Content = new StringContent("{\"text\":\"hi\"}", Encoding.UTF8, "application/json") })
        {
            message.Headers.Add("X-Api-Key", Key);
            Assert.Equal(HttpStatusCode.OK, (await _silo.Http.SendAsync(message)).StatusCode);
        }

        // Without a key configured the report is open with aggregates only (ModelRepliesTests); with one, it needs it.
        using (var anonymous = await _silo.Http.GetAsync("/sessions/report"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.DoesNotContain("tg-like-12345", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/sessions/report");
        keyed.Headers.Add("X-Api-Key", Key);
        var admin = JsonDocument.Parse(await (await _silo.Http.SendAsync(keyed)).Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(1, admin.GetProperty("active_sessions").GetInt32());
        Assert.Contains(admin.GetProperty("memory").GetProperty("largest").EnumerateArray(), s => s.GetProperty("session_id").GetString() == "api:tg-like-12345");
    }

    /// <summary>A body whose length the client does not know, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
