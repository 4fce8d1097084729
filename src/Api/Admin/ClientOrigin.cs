using System.Net;
using Microsoft.AspNetCore.Http;

namespace Assistant.Api.Admin;

/// <summary>
/// Whether a request comes from this machine. The address is the one <c>UseForwardedHeaders</c>
/// leaves: behind the documented reverse proxy on loopback, the forwarded client's. A request that
/// still carries a proxy's header naming a client (what is left of <c>X-Forwarded-For</c>,
/// <c>X-Real-IP</c>, <c>Forwarded</c>, which that middleware does not read) is taken as coming from
/// where that header says. A proxy that forwards no client address at all cannot be told from a
/// caller on this machine: the docs say to set a key behind any proxy.
/// </summary>
public static class ClientOrigin
{
    public static bool IsLocal(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return false;
        }

        // No address at all: a Unix socket or an in-memory server, both on this machine.
        return ForwardedFor(context.Request.Headers) is not { } named || IsLoopbackName(named);
    }

    /// <summary>The client a proxy header names that forwarded headers did not consume, or null.</summary>
    private static string? ForwardedFor(IHeaderDictionary headers)
    {
        // What UseForwardedHeaders left of X-Forwarded-For names hops it did not trust: the first is the client.
        if (headers["X-Forwarded-For"].ToString() is { Length: > 0 } left)
        {
            return left.Split(',')[0].Trim();
        }

        if (headers["X-Real-IP"].ToString() is { Length: > 0 } real)
        {
            return real.Trim();
        }

        // RFC 7239: Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]"; the last hop is the proxy's client.
        var forwarded = headers["Forwarded"].ToString();
        if (forwarded.Length == 0)
        {
            return null;
        }

        var last = forwarded.Split(',').Last();
        foreach (var pair in last.Split(';'))
        {
            var part = pair.Trim();
            if (part.StartsWith("for=", StringComparison.OrdinalIgnoreCase))
            {
                return part[4..].Trim('"');
            }
        }

        return "unknown"; // a proxy said it forwarded without saying for whom
    }

    private static bool IsLoopbackName(string name)
    {
        var host = name;
        if (host.StartsWith('[') && host.IndexOf(']', StringComparison.Ordinal) is > 0 and var close)
        {
            host = host[1..close]; // [::1]:5000
        }
        else if (!host.Contains("::", StringComparison.Ordinal) && host.Count(c => c == ':') == 1)
        {
            host = host[..host.IndexOf(':', StringComparison.Ordinal)]; // 127.0.0.1:5000
        }

        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
    }
}
