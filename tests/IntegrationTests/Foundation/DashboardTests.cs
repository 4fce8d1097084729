using System.Net;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>Dashboard:Enabled: the Orleans Dashboard is served by default and can be turned off.</summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task The_dashboard_is_on_by_default_and_turned_off_it_is_gone_while_the_service_stays_healthy()
    {
        await using (var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("dashboard-on")))
        {
            using var page = await silo.Http.GetAsync("/dashboard/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        await using var off = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("dashboard-off"), new Dictionary<string, string?> { ["Dashboard:Enabled"] = "false" });
        using (var gone = await off.Http.GetAsync("/dashboard/"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var health = await off.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
