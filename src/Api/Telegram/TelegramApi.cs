using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Assistant.Api.Admin;
using Assistant.Telegram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace Assistant.Api.Telegram;

public static class TelegramApi
{
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    public static RouteGroupBuilder MapTelegramApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/telegram").WithTags("Telegram");
        group.MapGet("/status", GetStatusAsync);
        group.MapPost("/webhook", ReceiveAsync).AllowAnonymous(); // Telegram authenticates with the webhook secret
        group.MapGet("/dead-letters", ListDeadLettersAsync).RequireAdminKey();
        group.MapGet("/chats/{chatId:long}", GetChatAsync).RequireAdminKey();
        return group;
    }

    /// <summary>
    /// A Telegram chat's conversation, for an operator holding the admin key (401 until one is
    /// configured): the only way to it over HTTP, since <c>/sessions/{id}</c> reaches only the API's own sessions.
    /// </summary>
    internal static async Task<Ok<Assistant.Sessions.SessionView>> GetChatAsync(long chatId, IGrainFactory grains, Assistant.Silos.ClusterRetry retry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await retry.CallAsync(() => grains.GetGrain<Assistant.Sessions.IChatSessionGrain>(Assistant.Sessions.SessionKey.Telegram(chatId)).GetAsync(), cancellationToken));

    internal static async Task<Ok<TelegramStatus>> GetStatusAsync(TelegramStatusService status, CancellationToken cancellationToken) =>
        TypedResults.Ok(await status.GetAsync(cancellationToken));

    /// <summary>Messages the service gave up on, newest first (<c>?limit=</c>, default 50, at most 500).</summary>
    internal static async Task<Results<Ok<DeadLetterList>, ProblemHttpResult>> ListDeadLettersAsync(DeadLetters letters, CancellationToken cancellationToken, int? limit = null)
    {
        if (limit is < 1 or > 500)
        {
            return TypedResults.Problem("limit must be between 1 and 500.", statusCode: StatusCodes.Status400BadRequest, title: "Bad limit");
        }

        return TypedResults.Ok(new DeadLetterList(await letters.CountAsync(cancellationToken), await letters.ListAsync(limit ?? 50, cancellationToken)));
    }

    /// <summary>
    /// Telegram's webhook delivery: checks the secret, hands the update to its session and
    /// answers 200 once it is stored there or parked with the channel (to be handed over again);
    /// when neither could store it, 500 makes Telegram deliver it again.
    /// </summary>
    internal static async Task<Results<Ok, ProblemHttpResult, NotFound>> ReceiveAsync(
        HttpRequest request, TelegramBot bot, TelegramCounters counters, UpdateRouter router, FailedAuthLimiter limiter, CancellationToken cancellationToken)
    {
        if (!bot.Enabled || bot.Options.Mode != TelegramMode.Webhook)
        {
            return TypedResults.NotFound();
        }

        // Wrong secrets count against the address as wrong admin keys do (Api:FailedAuthPerMinute).
        var address = FailedAuthLimiter.Partition(request.HttpContext.Connection.RemoteIpAddress);
        if (limiter.LockedOut(address, out var wait))
        {
            return TooManyFailures(request, limiter, wait);
        }

        if (!SecretMatches(request.Headers[SecretHeader].ToString(), bot.Options.WebhookSecret!))
        {
            return limiter.RecordFailure(address, out wait)
                ? TooManyFailures(request, limiter, wait)
                : TypedResults.Problem($"Missing or wrong {SecretHeader}.", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }

        Update? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<Update>(request.Body, JsonBotAPI.Options, cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem($"The body is not a Telegram update: {ex.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed update");
        }

        if (update is null)
        {
            return TypedResults.Problem("The body is not a Telegram update.", statusCode: StatusCodes.Status400BadRequest, title: "Malformed update");
        }

        counters.RecordWebhookDelivery();
        await router.RouteOrParkAsync(update, cancellationToken);
        return TypedResults.Ok();
    }

    public sealed record DeadLetterList(long Total, IReadOnlyList<DeadLetter> Letters);

    private static ProblemHttpResult TooManyFailures(HttpRequest request, FailedAuthLimiter limiter, TimeSpan wait)
    {
        limiter.CountRefusal();
        request.HttpContext.Response.Headers.RetryAfter = FailedAuthLimiter.RetryAfter(wait);
        return TypedResults.Problem("Too many wrong webhook secrets from this address; try again later.", statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed authentications");
    }

    private static bool SecretMatches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
