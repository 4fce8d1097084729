using System.ClientModel;
using System.Text.Json;
using Polly.Timeout;

namespace Assistant.Models;

/// <summary>What went wrong when the model did not answer, and what the user is told.</summary>
public static class ModelFailure
{
    public const string RateLimited = "rate_limited";
    public const string ServerError = "server_error";
    public const string Timeout = "timeout";
    public const string InvalidResponse = "invalid_response";
    public const string ConnectionFailed = "connection_failed";
    public const string Unauthorized = "unauthorized";
    public const string Rejected = "rejected";
    public const string Cancelled = "cancelled";
    public const string OverBudget = "over_budget";
    public const string Unknown = "unknown";

    /// <summary>Whether <paramref name="failure"/> is the service's failure to answer: not the user's own cancellation, not a budget's refusal.</summary>
    public static bool IsError([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? failure) => failure is not null and not Cancelled and not OverBudget;

    /// <summary>Failures another model may not share (<c>AI:FallbackModels</c>): rate limits, server errors, timeouts.</summary>
    public static bool FallsBack(string? failure) => failure is RateLimited or ServerError or Timeout;

    /// <summary>The kind of failure, from the exception and what it wraps.</summary>
    public static string Classify(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case ClientResultException { Status: > 0 } result:
                    return FromStatus(result.Status);
                case HttpRequestException { StatusCode: { } status }:
                    return FromStatus((int)status);
                case TimeoutRejectedException or TimeoutException:
                    return Timeout;
                case JsonException or FormatException:
                    return InvalidResponse;
            }
        }

        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpRequestException or System.Net.Sockets.SocketException or IOException)
            {
                return ConnectionFailed;
            }

            // The OpenAI client reports a body it cannot parse as an InvalidOperationException or ArgumentException.
            if (ex is InvalidOperationException or ArgumentException or KeyNotFoundException)
            {
                return InvalidResponse;
            }
        }

        return Unknown;
    }

    /// <summary>The HTTP status the endpoint answered, when the failure was one.</summary>
    public static int? StatusOf(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case ClientResultException { Status: > 0 } result:
                    return result.Status;
                case HttpRequestException { StatusCode: { } status }:
                    return (int)status;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether the endpoint refused a request because it carried an image (a model without vision):
    /// a 413, or a 4xx whose error names images ("image_url is only supported by certain models",
    /// "not a multimodal model", "image input is not supported").
    /// </summary>
    /// <param name="model">The configured model's name, ignored in the error (a "…-vision" model that does not exist is no refusal of images).</param>
    public static bool RefusedImage(Exception exception, string model)
    {
        var status = StatusOf(exception);
        if (status is not (>= 400 and < 500) || status is 401 or 403 or 404 or 408 or 429)
        {
            return false;
        }

        if (status == 413)
        {
            return true;
        }

        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            var text = model.Length > 0 ? ex.Message.Replace(model, "", StringComparison.OrdinalIgnoreCase) : ex.Message;
            if (ImageWords.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string[] ImageWords = ["image", "vision", "multimodal", "multi-modal"];

    public static string FromStatus(int status) => status switch
    {
        429 => RateLimited,
        401 or 403 => Unauthorized,
        408 or 504 => Timeout,
        >= 500 => ServerError,
        >= 400 => Rejected,
        _ => InvalidResponse,
    };

    /// <summary>The apology the user sees; it names the kind of failure and says the message was kept.</summary>
    public static string Apology(string kind) => kind switch
    {
        RateLimited => "Sorry — the AI model is rate-limiting us right now (HTTP 429), so I couldn't answer even after retrying. Please try again in a minute; your message has been kept.",
        ServerError => "Sorry — the AI model's server kept failing (HTTP 5xx), so I couldn't answer even after retrying. Please try again shortly; your message has been kept.",
        Timeout => "Sorry — the AI model took too long to answer, so I gave up. Please try again; your message has been kept.",
        InvalidResponse => "Sorry — the AI model sent back a reply I couldn't read. Please try again; your message has been kept.",
        ConnectionFailed => "Sorry — I couldn't reach the AI model. Please try again later; your message has been kept.",
        Unauthorized => "Sorry — the AI model refused this service's credentials, so I can't answer. An operator needs to check AI__ApiKey; your message has been kept.",
        Rejected => "Sorry — the AI model rejected the request; an operator should check AI__Model and AI__Endpoint. Your message has been kept.",
        Cancelled => "The reply was cancelled.",
        _ => "Sorry — something went wrong while getting an answer. Please try again; your message has been kept.",
    };
}
