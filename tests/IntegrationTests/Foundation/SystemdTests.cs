using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// The silo as a systemd <c>Type=notify</c> service: a parent process named systemd (as the
/// service manager is the main process's parent) and a <c>NOTIFY_SOCKET</c> the test listens on
/// with the datagram protocol systemd speaks.
/// </summary>
public sealed class SystemdTests
{
    [Fact]
    public async Task Under_systemd_the_silo_says_ready_once_it_is_active_and_knows_it_is_supervised()
    {
        var directory = TestPaths.NewTempDirectory("systemd");
        var systemd = Path.Combine(directory, "systemd");
        File.CreateSymbolicLink(systemd, "/bin/bash");
        var socketPath = Path.Combine(directory, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));

        await using var silo = new SiloProcess(directory, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath }) { Parent = systemd };
        silo.Start();

        var ready = await ReceiveAsync(socket, "READY=1", silo);
        using (var response = await silo.Http.GetAsync("/health/ready"))
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"ready was notified before the silo was ready: {(int)response.StatusCode}\n{silo.Output}");
        }

        using var status = JsonDocument.Parse(await silo.Http.GetStringAsync("/restart/status"));
        Assert.True(status.RootElement.GetProperty("supervised").GetBoolean(), status.RootElement.ToString());
        Assert.Equal("systemd", status.RootElement.GetProperty("supervisor").GetString());
        Assert.Contains("READY=1", ready);

        Assert.Equal(0, await silo.StopAsync());
        Assert.Contains("STOPPING=1", await ReceiveAsync(socket, "STOPPING=1", silo));
    }

    private static async Task<string> ReceiveAsync(Socket socket, string expected, SiloProcess silo)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            int length;
            try
            {
                length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {expected} on NOTIFY_SOCKET.\n{silo.Output}");
            }

            var message = Encoding.UTF8.GetString(buffer, 0, length);
            if (message.Contains(expected, StringComparison.Ordinal))
            {
                return message;
            }
        }
    }
}
