using System.Threading.RateLimiting;
using Assistant.Api.Limits;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Admin;

/// <summary>
/// Wrong admin keys per client address, with ASP.NET Core's rate limiting primitives: each wrong
/// key takes a permit of a fixed one-minute window (<c>Api:FailedAuthPerMinute</c>). An address
/// with none left is locked out until the window ends, for right keys too, so guessing does not go
/// on at full speed behind 429s. IPv6 clients are counted by their /64, which one host can rotate
/// within; IPv4-mapped addresses as IPv4. Behind a reverse proxy on loopback the address is the
/// forwarded client's (<c>UseForwardedHeaders</c> trusts loopback proxies only).
/// </summary>
internal sealed class FailedAuthLimiter(IOptions<ApiOptions> options, Metrics.AssistantMetrics metrics) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.FailedAuthPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = false, // the partitioned limiter replenishes them all on one timer
        }));

    /// <summary>The partition a client address counts in.</summary>
    public static string Partition(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new System.Net.IPAddress(bytes) + "/64";
    }

    /// <summary>True when this address has used up its wrong keys for now; <paramref name="retryAfter"/> says for how long.</summary>
    public bool LockedOut(string address, out TimeSpan retryAfter)
    {
        using var probe = _failures.AttemptAcquire(address, 0);
        return Refused(probe, out retryAfter);
    }

    /// <summary>Counts a wrong key; true when it was one too many (the address is now locked out).</summary>
    public bool RecordFailure(string address, out TimeSpan retryAfter)
    {
        metrics.AuthFailure();
        using var lease = _failures.AttemptAcquire(address);
        return Refused(lease, out retryAfter);
    }

    public void Dispose() => _failures.Dispose();

    /// <summary>The <c>Retry-After</c> for a lockout of <paramref name="wait"/>: whole seconds, at least one.</summary>
    public static string RetryAfter(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Counts a 429 actually sent for a locked-out address.</summary>
    public void CountRefusal() => metrics.AuthRateLimited();

    private static bool Refused(RateLimitLease lease, out TimeSpan retryAfter)
    {
        // A fixed window reports its whole length, an upper bound of the time left in it.
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        return !lease.IsAcquired;
    }
}
