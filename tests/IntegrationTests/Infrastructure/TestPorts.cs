using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// Loopback ports for the silos, fakes and databases a test starts. They are taken below the
/// kernel's ephemeral range: a port found free there (by binding port 0) is the kind the kernel
/// hands every outgoing connection, so between the test choosing it and a silo binding it, a
/// client socket of another test could take it ("address already in use", seen in CI).
/// </summary>
public static class TestPorts
{
    private const int Lowest = 10_000;
    private static readonly HashSet<int> Handed = [];
    private static readonly (int Low, int High) Ephemeral = EphemeralRange();

    /// <summary>A loopback port that is free now, outside the ephemeral range, and was not handed out before in this test run.</summary>
    public static int Free()
    {
        lock (Handed)
        {
            var span = Ephemeral.Low - Lowest;
            for (var tries = 0; span > 1_000 && tries < 1_000; tries++)
            {
                var port = Lowest + Random.Shared.Next(span);
                if (!Handed.Contains(port) && IsFree(port))
                {
                    Handed.Add(port);
                    return port;
                }
            }

            // No room below the ephemeral range on this machine: any free port, as before.
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Linux's <c>ip_local_port_range</c>; the IANA range elsewhere.</summary>
    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (49_152, 65_535);
        }
    }
}
