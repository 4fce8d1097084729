using Assistant.IntegrationTests.Infrastructure;
using Assistant.Silo.Hosting;
using Assistant.Storage;
using Microsoft.Extensions.Configuration;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>Protected mode: the real executable refuses to serve the network without an admin key.</summary>
public sealed class ProtectedModeTests
{
    [Theory]
    [InlineData("http://*:9000")]
    [InlineData("http://+:9000")]
    [InlineData("http://0.0.0.0:9000")]
    [InlineData("http://[::]:9000")]
    [InlineData("http://192.0.2.10:9000")]
    [InlineData("http://assistant.example.com:9000")]
    [InlineData("http://localhost:1:9000")] // Kestrel reads the host as "localhost:1": every interface
    [InlineData("http://localhost:9000;http://*:9001")]
    public void Addresses_that_reach_beyond_this_machine_need_a_key(string urls)
    {
        var ex = Assert.Throws<StartupFailureException>(() => Check(new() { ["urls"] = urls }));
        Assert.Contains("Admin:ApiKey", ex.Message);
        Check(new() { ["urls"] = urls, ["Admin:ApiKey"] = "k" });
        Check(new() { ["urls"] = urls, ["Admin:AllowAnonymous"] = "true" });
    }

    [Theory]
    [InlineData("http://localhost:9000")]
    [InlineData("http://127.0.0.1:9000")]
    [InlineData("http://127.0.0.2:9000")]
    [InlineData("http://[::1]:9000")]
    [InlineData("http://unix:/run/assistant.sock")]
    public void Loopback_and_socket_files_need_no_key(string urls) => Check(new() { ["urls"] = urls });

    [Fact]
    public void Addresses_are_taken_in_Kestrels_order_of_precedence()
    {
        // urls wins over the ports settings, Kestrel:Endpoints over urls; the default is loopback.
        Check(new() { ["urls"] = "http://localhost:9000", ["http_ports"] = "8080" });
        Check(new() { ["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:9000", ["urls"] = "http://*:9000" });
        Assert.Throws<StartupFailureException>(() => Check(new() { ["http_ports"] = "8080" }));
        Check([]);
    }

    private static void Check(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        ProtectedMode.Check(configuration, ProtectedMode.Urls(configuration, HttpSetup.DefaultUrl));
    }

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
