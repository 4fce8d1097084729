using System.Net;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Foundation;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_200_with_the_documented_body_and_503_with_a_reason_when_the_database_is_gone()
    {
        var directory = TestPaths.NewTempDirectory("health");
        await using var silo = await InProcessSilo.StartAsync(directory);

        using (var healthy = await silo.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            Assert.Equal("""{"status":"healthy","telegram":"disabled"}""", await healthy.Content.ReadAsStringAsync());
        }

        // The file vanishing (a wiped or unmounted disk) must show, although pooled connections keep the old file open.
        var file = Path.Combine(directory, "data", "system.db");
        File.Move(file, file + ".away");
        using (var unhealthy = await silo.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
            using var body = JsonDocument.Parse(await unhealthy.Content.ReadAsStringAsync());
            Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
            Assert.Equal("disabled", body.RootElement.GetProperty("telegram").GetString());
            Assert.StartsWith("database: ", body.RootElement.GetProperty("reason").GetString());
        }

        File.Move(file + ".away", file);
        using var recovered = await silo.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }
}
