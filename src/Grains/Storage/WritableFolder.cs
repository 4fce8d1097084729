namespace Assistant.Storage;

/// <summary>Checks that a folder exists (creating it if needed) and that this process can write in it.</summary>
public static class WritableFolder
{
    /// <returns>Null when the folder is usable, otherwise a sentence saying why not.</returns>
    public static string? Check(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"cannot create folder '{folder}': {ex.Message}";
        }

        var probe = Path.Combine(folder, $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"folder '{folder}' is not writable: {ex.Message}";
        }
    }
}
