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

    [Fact]
    public async Task With_a_key_configured_the_dashboard_asks_for_it_and_its_live_trace_is_off()
    {
        const string key = "dashboard-test-key";
        await using var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("dashboard-key"), new Dictionary<string, string?> { ["Admin:ApiKey"] = key });
        using (var anonymous = await silo.Http.GetAsync("/dashboard/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        silo.Http.DefaultRequestHeaders.Add("X-Api-Key", key);
        using (var page = await silo.Http.GetAsync("/dashboard/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        using var trace = await silo.Http.GetAsync("/dashboard/Trace");
        Assert.NotEqual(HttpStatusCode.OK, trace.StatusCode);
        Assert.Contains("trace endpoint is disabled", await trace.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
