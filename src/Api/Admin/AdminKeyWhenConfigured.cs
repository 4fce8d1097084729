using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Admin;

/// <summary>Met when no admin key is configured, or when the request authenticated with it.</summary>
internal sealed class AdminKeyWhenConfigured(IOptions<AdminOptions> admin)
    : AuthorizationHandler<AdminKeyWhenConfigured.Requirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, Requirement requirement)
    {
        if (admin.Value.Admits(context.User))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    internal sealed class Requirement : IAuthorizationRequirement;
}
