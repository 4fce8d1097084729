using System.Globalization;
using System.Reflection;

namespace Assistant.Storage;

/// <summary>One numbered file of <c>sql/&lt;provider&gt;/</c>, embedded in this assembly.</summary>
public sealed record SchemaScript(int Version, string Name, string Sql)
{
    /// <summary>The scripts for a provider, in the order they are applied.</summary>
    public static IReadOnlyList<SchemaScript> For(StorageProvider provider)
    {
        var folder = provider == StorageProvider.Sqlite ? "sql/sqlite/" : "sql/postgresql/";
        var assembly = typeof(SchemaScript).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(folder, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => Load(assembly, name, name[folder.Length..]))
            .OrderBy(script => script.Version)
            .ToList();
    }

    private static SchemaScript Load(Assembly assembly, string resource, string fileName)
    {
        var digits = new string(fileName.TakeWhile(char.IsAsciiDigit).ToArray());
        if (digits.Length == 0)
        {
            throw new InvalidOperationException($"Schema script '{resource}' must start with its version number, as in 0001_name.sql.");
        }

        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return new SchemaScript(int.Parse(digits, CultureInfo.InvariantCulture), Path.GetFileNameWithoutExtension(fileName), reader.ReadToEnd());
    }
}
