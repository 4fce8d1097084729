using System.Net;
using System.Net.Sockets;

namespace Assistant.IntegrationTests.Infrastructure;

public static class TestPorts
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A loopback port that is free now and was not handed out before in this test run.</summary>
    public static int Free()
    {
        lock (Handed)
        {
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
}
