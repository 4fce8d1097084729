using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>Protected mode: the real executable refuses to serve the network without an admin key.</summary>
public sealed class ProtectedModeTests
{
    [Fact]
    public async Task Bound_beyond_loopback_without_a_key_it_exits_2_naming_the_settings_and_with_a_key_it_starts()
    {
        var directory = TestPaths.NewTempDirectory("protected");
        var port = TestPorts.Free();
        await using (var open = new SiloProcess(directory, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{port}" }, httpPort: port))
        {
            open.Start();
            Assert.Equal(2, await open.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var line = Assert.Single(open.Output.Split('\n'), l => l.StartsWith("Startup failed:", StringComparison.Ordinal));
            Assert.Contains($"http://0.0.0.0:{port}", line);
            Assert.Contains("Admin:ApiKey", line);
            Assert.Contains("Admin:AllowAnonymous", line);
        }

        await using var keyed = new SiloProcess(directory, new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{port}",
            ["Admin__ApiKey"] = "protected-mode-key",
        }, httpPort: port);
        await keyed.StartAndWaitHealthyAsync();
        Assert.Equal(0, await keyed.StopAsync());
    }
}
