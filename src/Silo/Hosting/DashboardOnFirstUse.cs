using Assistant.Api.Admin;
using Orleans.Dashboard;

namespace Assistant.Silo.Hosting;

/// <summary>
/// The Orleans Dashboard's pages and JSON routes (<c>/dashboard</c>), mapped when the first request
/// for them arrives rather than at start-up. Mapping them loads the dashboard's web assets (its
/// scripts, fonts and images, decoded and gzipped: about 100 MB resident once served) for the life
/// of the process; a silo nobody opens the dashboard on never pays for them. The dashboard's grains
/// and counters are registered with the silo as before (<see cref="OrleansSetup"/>), so what it
/// shows when opened is the same.
/// </summary>
public static class DashboardOnFirstUse
{
    public const string Path = "/dashboard";

    /// <summary>Serves <see cref="Path"/> from a pipeline of its own, built on the first request for it.</summary>
    public static void UseOrleansDashboardOnFirstUse(this WebApplication app)
    {
        var dashboard = new Lazy<RequestDelegate>(() => Build(app), LazyThreadSafetyMode.ExecutionAndPublication);
        app.Use((context, next) => context.Request.Path.StartsWithSegments(Path) ? dashboard.Value(context) : next(context));
    }

    private static RequestDelegate Build(IApplicationBuilder app)
    {
        // A branch has its own routes: the application's were built at start-up. The user was
        // authenticated by the application's pipeline; the admin key is checked here.
        var branch = app.New();
        branch.UseRouting();
        branch.UseAuthorization();
        branch.UseEndpoints(endpoints =>
        {
            IEndpointConventionBuilder dashboard = endpoints.MapOrleansDashboard(routePrefix: Path).RequireAdminKeyWhenConfigured();

            // The routes that name grains by key (tg:<chat id>) or show their state need the key even
            // when none is configured, like every other route to a chat: the rest is aggregates.
            dashboard.Add(endpoint =>
            {
                if (endpoint is RouteEndpointBuilder route && KeyOnly.Any(r => route.RoutePattern.RawText?.EndsWith(r, StringComparison.OrdinalIgnoreCase) == true))
                {
                    endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(AdminKey.Always));
                }
            });
        });
        return branch.Build();
    }

    private static readonly string[] KeyOnly = ["/GrainState", "/Reminders", "/Reminders/{page:int}", "/Trace"];
}
