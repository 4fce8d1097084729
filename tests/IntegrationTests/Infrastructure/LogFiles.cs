using System.Text;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>The log files a silo writes under its directory (<c>Logs:Directory</c>), read beside it.</summary>
public static class LogFiles
{
    /// <summary>
    /// Waits until <paramref name="flushedLine"/> (logged after the words were said) is in the logs,
    /// so they were written that far, then fails if any log file holds <paramref name="words"/>.
    /// </summary>
    public static async Task AssertNeverLoggedAsync(string siloDirectory, string words, string flushedLine)
    {
        var folder = Path.Combine(siloDirectory, "logs");
        await Eventually.WaitAsync(() => Task.FromResult(ReadAll(folder).Any(t => t.Text.Contains(flushedLine, StringComparison.Ordinal))),
            $"'{flushedLine}' in the logs under {folder}", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        var holding = ReadAll(folder).Where(t => t.Text.Contains(words, StringComparison.Ordinal)).Select(t => t.Path).ToList();
        Assert.True(holding.Count == 0, $"a message's words ('{words}') were logged in {string.Join(", ", holding)}");
    }

    private static IEnumerable<(string Path, string Text)> ReadAll(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(path => (path, Read(path)))
            : [];

    private static string Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
