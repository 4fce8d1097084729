using Assistant.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>Cluster:DirectoryCacheSize reaches Orleans' grain directory cache, with its documented default.</summary>
public sealed class DirectoryCacheTests
{
    [Fact]
    public async Task The_directory_cache_holds_a_hundred_thousand_addresses_unless_the_setting_says_otherwise()
    {
        await using (var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("directory-cache")))
        {
            Assert.Equal(100_000, silo.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize);
        }

        await using var configured = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("directory-cache"), new Dictionary<string, string?> { ["Cluster:DirectoryCacheSize"] = "5000" });
        Assert.Equal(5000, configured.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize);
    }
}
