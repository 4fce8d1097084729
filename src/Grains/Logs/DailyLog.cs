namespace Assistant.Logs;

/// <summary>
/// A log file rotated by day under a fixed name, as the operations guide names it: the current
/// day is <c>name.log</c>; on the first write of a later day (or the lifecycle's daily run) it is
/// renamed to <c>name-YYYYMMDD.log</c> after the day of its last write. Processes sharing the
/// folder (silos on one host) rotate under an exclusive lock file and check again under it, so
/// one rotation happens; a writer that still holds the old name appends to yesterday's file, never
/// loses a line.
/// </summary>
public static class DailyLog
{
    /// <summary>Renames <c>name.log</c> when it was last written before <paramref name="today"/>; returns the new path, or null.</summary>
    public static string? RotateIfOld(string folder, string name, DateOnly today)
    {
        var current = Path.Combine(folder, name + ".log");
        if (!File.Exists(current) || DayOf(current) >= today)
        {
            return null;
        }

        try
        {
            using var rotation = new FileStream(Path.Combine(folder, "." + name + ".rotate"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            if (!File.Exists(current) || DayOf(current) >= today)
            {
                return null; // another process rotated it first
            }

            var target = FreeName(folder, $"{name}-{DayOf(current):yyyyMMdd}", ".log");
            File.Move(current, target);
            return target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // another process holds the lock or moved the file, or it cannot be renamed: the line is written to the current file
        }
    }

    /// <summary><c>stem.ext</c>, or <c>stem-1.ext</c>, <c>stem-2.ext</c>, ... when taken.</summary>
    public static string FreeName(string folder, string stem, string extension)
    {
        var path = Path.Combine(folder, stem + extension);
        for (var i = 1; File.Exists(path); i++)
        {
            path = Path.Combine(folder, $"{stem}-{i}{extension}");
        }

        return path;
    }

    private static DateOnly DayOf(string path) => DateOnly.FromDateTime(File.GetLastWriteTime(path));
}
