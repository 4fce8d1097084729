using System.Net;
using Assistant.Storage;

namespace Assistant.Silo.Hosting;

/// <summary>
/// Protected mode, as Redis does it, at start: bound to any address but loopback with no
/// <c>Admin:ApiKey</c>, the service does not start (exit code 2) unless <c>Admin:AllowAnonymous</c>
/// says the risk is accepted. On loopback only, a newcomer's <c>dotnet run</c> needs no key. At run
/// time the same mode turns away callers from elsewhere (<see cref="Assistant.Api.Admin.ClientOrigin"/>),
/// which a reverse proxy on this machine would otherwise let in.
/// Addresses are read as Kestrel reads them (<see cref="BindingAddress"/>): a host that is not
/// <c>localhost</c> or an IP address means every interface.
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

        var exposed = urls.Where(u => !Local(u)).ToList();
        if (exposed.Count > 0)
        {
            throw new StartupFailureException(
                $"the HTTP front end is bound to {string.Join(", ", exposed)}, beyond this machine, and Admin:ApiKey is not set: " +
                "set Admin:ApiKey (Admin__ApiKey) so conversations and admin endpoints need it, bind to localhost, " +
                "or set Admin:AllowAnonymous=true to accept the risk");
        }
    }

    /// <summary>
    /// The addresses the settings give Kestrel, in its own order of precedence: <c>Kestrel:Endpoints</c>,
    /// else <c>urls</c>, else <c>http_ports</c>/<c>https_ports</c> (all interfaces); empty when none does.
    /// </summary>
    public static IReadOnlyList<string> Configured(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        if (endpoints.Count > 0)
        {
            return endpoints;
        }

        var urls = Split(configuration["urls"]).ToList();
        if (urls.Count > 0)
        {
            return urls;
        }

        return [.. Split(configuration["http_ports"]).Select(p => $"http://*:{p}").Concat(Split(configuration["https_ports"]).Select(p => $"https://*:{p}"))];
    }

    /// <summary>The addresses Kestrel will listen on: those configured, else <paramref name="defaultUrl"/>.</summary>
    public static IReadOnlyList<string> Urls(IConfiguration configuration, string defaultUrl) =>
        Configured(configuration) is { Count: > 0 } configured ? configured : [defaultUrl];

    private static IEnumerable<string> Split(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool Local(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException ex)
        {
            throw new StartupFailureException($"the HTTP address '{url}' is not valid ({ex.Message}); check --urls / ASPNETCORE_URLS");
        }

        if (address.IsUnixPipe || address.IsNamedPipe)
        {
            return true; // a socket file on this machine
        }

        return address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
