using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Admin;

/// <summary>Admin endpoints need <c>X-Api-Key</c> equal to <c>Admin:ApiKey</c>; otherwise 401 with a problem body.</summary>
public static class AdminKey
{
    public const string Header = "X-Api-Key";

    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            Check(context.HttpContext) is { } refusal ? refusal : await next(context));

    /// <returns>Null when the request carries the admin key, otherwise the 401 to answer.</returns>
    public static IResult? Check(HttpContext context)
    {
        var key = context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value.ApiKey;
        if (string.IsNullOrEmpty(key))
        {
            return Unauthorized("This endpoint needs the admin API key, and none is configured: set Admin__ApiKey and send it in X-Api-Key.");
        }

        var given = context.Request.Headers[Header].ToString();
        return Matches(given, key) ? null : Unauthorized($"Missing or wrong {Header}.");
    }

    public static bool Matches(string given, string key) =>
        given.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key));

    private static IResult Unauthorized(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
}
