using System.Reflection;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>Where the repository and the built silo executable are.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Configuration { get; } = typeof(TestPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "BuildConfiguration").Value!;

    /// <summary>The silo built by the same build as these tests (the test project references it).</summary>
    public static string SiloDll { get; } = Path.Combine(RepositoryRoot, "src", "Silo", "bin", Configuration, "net10.0", "Assistant.Silo.dll");

    public static string NewTempDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "assistant-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Orleans.sln not found above {AppContext.BaseDirectory}");
    }
}
