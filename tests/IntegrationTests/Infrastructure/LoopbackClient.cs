using System.Net;
using System.Net.Sockets;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>An HTTP client whose connections come from another loopback address (127.0.0.x), as a second client machine would.</summary>
public static class LoopbackClient
{
    public static HttpClient From(IPAddress local, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    {
        BaseAddress = baseAddress,
    };
}
