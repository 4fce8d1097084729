using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Admin;

/// <summary>
/// Authenticates a request that carries the admin key: in <c>X-Api-Key</c>, as a Bearer token, or as
/// the password of Basic authentication (any user name), so a browser can open the dashboard.
/// A refusal is a 401 problem body that says what to send, with <c>WWW-Authenticate: Basic</c>;
/// an address that sent too many wrong keys gets 429 with <c>Retry-After</c> (<see cref="FailedAuthLimiter"/>).
/// </summary>
internal sealed class AdminKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<AdminOptions> admin,
    FailedAuthLimiter limiter) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    private TimeSpan? _lockedOutFor;

    private static readonly ClaimsPrincipal Operator = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], AdminKey.Scheme));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = admin.Value.ApiKey;
        if (string.IsNullOrEmpty(key) || GivenKey(Request) is not { } given)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var address = FailedAuthLimiter.Partition(Context.Connection.RemoteIpAddress);
        if (limiter.LockedOut(address, out var wait))
        {
            _lockedOutFor = wait;
            return Task.FromResult(AuthenticateResult.Fail("Too many wrong admin API keys from this address."));
        }

        if (Matches(given, key))
        {
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Operator, AdminKey.Scheme)));
        }

        if (limiter.RecordFailure(address, out wait))
        {
            _lockedOutFor = wait;
        }

        return Task.FromResult(AuthenticateResult.Fail("Wrong admin API key."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_lockedOutFor is { } wait)
        {
            var seconds = FailedAuthLimiter.RetryAfter(wait);
            limiter.CountRefusal();
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds;
            await WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many wrong keys",
                $"Too many wrong admin API keys from this address (Api:FailedAuthPerMinute); try again within {seconds} s.");
            return;
        }

        string detail;
        if (string.IsNullOrEmpty(admin.Value.ApiKey))
        {
            detail = ClientOrigin.IsLocal(Context)
                ? $"This endpoint needs the admin API key, and none is configured: set Admin__ApiKey and send it in {AdminKey.Header}."
                : "No admin API key is configured, so this service serves callers on its own machine only (protected mode); " +
                  "from elsewhere only the health probes and the Telegram webhook answer. Its operator sets Admin__ApiKey to serve callers that send it.";
        }
        else
        {
            Response.Headers.WWWAuthenticate = "Basic realm=\"assistant\", charset=\"UTF-8\"";
            detail = $"Missing or wrong admin API key: send it in {AdminKey.Header}, as a Bearer token, or as the Basic password.";
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        var problems = Context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        await (problems?.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }) ?? ValueTask.FromResult(false));
    }

    /// <summary>The key the request offers, from whichever of the three places it used.</summary>
    internal static string? GivenKey(HttpRequest request)
    {
        if (request.Headers[AdminKey.Header].ToString() is { Length: > 0 } header)
        {
            return header;
        }

        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var authorization) || authorization.Parameter is not { Length: > 0 } parameter)
        {
            return null;
        }

        if (authorization.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return parameter;
        }

        if (authorization.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
                var colon = pair.IndexOf(':');
                return colon >= 0 ? pair[(colon + 1)..] : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }

    internal static bool Matches(string given, string key) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key));
}
