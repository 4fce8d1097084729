using System.Net;
using Assistant.Storage;

namespace Assistant.Silo.Hosting;

/// <summary>
/// Protected mode, as Redis does it: bound to any address but loopback with no
/// <c>Admin:ApiKey</c>, the service does not start (exit code 2) unless <c>Admin:AllowAnonymous</c>
/// says the risk is accepted. On loopback only, a newcomer's <c>dotnet run</c> needs no key.
/// </summary>
public static class ProtectedMode
{
    /// <summary>Throws <see cref="StartupFailureException"/> when the HTTP front end would be open to the network without a key.</summary>
    public static void Check(IConfiguration configuration, IEnumerable<string> urls)
    {
        if (!string.IsNullOrEmpty(configuration["Admin:ApiKey"]) || configuration.GetValue<bool>("Admin:AllowAnonymous"))
        {
            return;
        }

        var exposed = urls.Where(u => !Loopback(u)).ToList();
        if (exposed.Count > 0)
        {
            throw new StartupFailureException(
                $"the HTTP front end is bound to {string.Join(", ", exposed)}, beyond this machine, and Admin:ApiKey is not set: " +
                "set Admin:ApiKey (Admin__ApiKey) so conversations and admin endpoints need it, bind to localhost, " +
                "or set Admin:AllowAnonymous=true to accept the risk");
        }
    }

    /// <summary>The addresses Kestrel will listen on, from the settings it reads them from.</summary>
    public static IEnumerable<string> Urls(IConfiguration configuration, string defaultUrl)
    {
        var urls = new List<string>();
        urls.AddRange(Split(configuration["urls"]));
        urls.AddRange(Split(configuration["http_ports"]).Select(p => $"http://*:{p}"));
        urls.AddRange(Split(configuration["https_ports"]).Select(p => $"https://*:{p}"));
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls.Count > 0 ? urls : [defaultUrl];
    }

    private static IEnumerable<string> Split(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool Loopback(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.StartsWith('[') ? rest[1..rest.IndexOf(']', StringComparison.Ordinal)] : rest.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
