using System.Net;

namespace Assistant.Metrics;

/// <summary>
/// Sits in an upstream's HttpClient and counts what came back: every Bot API call by method and
/// outcome, and every 429 from Telegram or the model (each attempt, retries included).
/// </summary>
public sealed class UpstreamMeter(AssistantMetrics metrics, string upstream) : DelegatingHandler
{
    public const string Telegram = "telegram";
    public const string Model = "model";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex)
        {
            Count(request, ex is OperationCanceledException && cancellationToken.IsCancellationRequested ? "cancelled" : "network_error");
            throw;
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            metrics.RateLimited(upstream);
        }

        Count(request, Outcome(response.StatusCode));
        return response;
    }

    public static string Outcome(HttpStatusCode status) => (int)status switch
    {
        < 300 => "ok",
        429 => "rate_limited",
        < 500 => "rejected",
        _ => "server_error",
    };

    /// <summary>The Bot API method is the last path segment (<c>/bot{token}/sendMessage</c>); the token never leaves here.</summary>
    public static string MethodOf(Uri? uri)
    {
        var path = uri?.AbsolutePath ?? string.Empty;
        var method = path[(path.LastIndexOf('/') + 1)..];
        return method.Length is > 0 and <= 40 && method.All(char.IsAsciiLetter) ? method : "other";
    }

    private void Count(HttpRequestMessage request, string outcome)
    {
        if (upstream == Telegram)
        {
            metrics.TelegramCall(MethodOf(request.RequestUri), outcome);
        }
    }
}
