using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Admin;

/// <summary>
/// Met when the request authenticated with the admin key; with none configured, when the caller is
/// on this machine (protected mode) or <c>Admin:AllowAnonymous</c> is set.
/// </summary>
internal sealed class AdminKeyWhenConfigured(IOptions<AdminOptions> admin, IHttpContextAccessor http)
    : AuthorizationHandler<AdminKeyWhenConfigured.Requirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, Requirement requirement)
    {
        if ((context.Resource as HttpContext ?? http.HttpContext) is { } request && admin.Value.Admits(context.User, request))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    internal sealed class Requirement : IAuthorizationRequirement;
}
