using System.Net;
using Assistant.Metrics;
using Assistant.Monitoring;
using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Assistant.UnitTests.Metrics;

public sealed class UpstreamMeterTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly MetricCollector<long> _calls;
    private readonly MetricCollector<long> _rateLimited;
    private readonly AssistantMetrics _metrics;

    public UpstreamMeterTests()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        _calls = new MetricCollector<long>(meters, AssistantMetrics.MeterName, "assistant.telegram.api.calls");
        _rateLimited = new MetricCollector<long>(meters, AssistantMetrics.MeterName, "assistant.rate_limited");
        _metrics = new AssistantMetrics(meters, new LocalSessionRegistry(), new PressureState());
    }

    public void Dispose()
    {
        _calls.Dispose();
        _rateLimited.Dispose();
        _services.Dispose();
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "ok")]
    [InlineData(HttpStatusCode.TooManyRequests, "rate_limited")]
    [InlineData(HttpStatusCode.BadRequest, "rejected")]
    [InlineData(HttpStatusCode.Conflict, "rejected")]
    [InlineData(HttpStatusCode.BadGateway, "server_error")]
    public async Task A_bot_api_call_is_counted_by_method_and_outcome_without_the_token(HttpStatusCode status, string outcome)
    {
        await SendAsync(UpstreamMeter.Telegram, "https://api.telegram.org/bot123456:SECRET-token/sendMessage", _ => new HttpResponseMessage(status));

        var call = Assert.Single(_calls.GetMeasurementSnapshot());
        Assert.Equal(1, call.Value);
        Assert.Equal("sendMessage", call.Tags["method"]);
        Assert.Equal(outcome, call.Tags["outcome"]);
        Assert.DoesNotContain(call.Tags.Values, v => v?.ToString()?.Contains("SECRET", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Only_a_429_counts_as_rate_limited_and_it_names_the_upstream()
    {
        await SendAsync(UpstreamMeter.Model, "http://127.0.0.1:1/v1/chat/completions", _ => new HttpResponseMessage(HttpStatusCode.TooManyRequests));
        await SendAsync(UpstreamMeter.Model, "http://127.0.0.1:1/v1/chat/completions", _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        var limited = _rateLimited.GetMeasurementSnapshot().Where(m => m.Value > 0).ToList();
        Assert.Equal("model", Assert.Single(limited).Tags["upstream"]);
        Assert.Empty(_calls.GetMeasurementSnapshot()); // calls by method are the Bot API's only
    }

    [Fact]
    public async Task A_call_that_never_got_an_answer_is_a_network_error()
    {
        await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(UpstreamMeter.Telegram, "http://127.0.0.1:1/botX/getUpdates", _ => throw new HttpRequestException("refused")));

        var call = Assert.Single(_calls.GetMeasurementSnapshot());
        Assert.Equal("getUpdates", call.Tags["method"]);
        Assert.Equal("network_error", call.Tags["outcome"]);
    }

    [Theory]
    [InlineData("https://api.telegram.org/bot1:abc/getMe", "getMe")]
    [InlineData("https://api.telegram.org/bot1:abc/", "other")]
    [InlineData("https://api.telegram.org/bot1:abc/file%20name.jpg", "other")]
    public void The_method_label_is_a_bounded_word(string url, string method) =>
        Assert.Equal(method, UpstreamMeter.MethodOf(new Uri(url)));

    private async Task SendAsync(string upstream, string url, Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        using var client = new HttpClient(new UpstreamMeter(_metrics, upstream) { InnerHandler = new Answering(answer) });
        using var response = await client.PostAsync(url, null);
    }

    private sealed class Answering(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
