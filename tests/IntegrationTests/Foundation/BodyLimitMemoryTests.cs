using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// Bodies over Api:MaxBodyBytes are refused before they are read, so a flood of large requests
/// does not grow the silo process: measured on a silo process of its own (its resident memory,
/// from /proc), with clients that send the whole 5 MB whether or not the server listens.
/// </summary>
public sealed class BodyLimitMemoryTests
{
    private const int BodyBytes = 5 * 1024 * 1024;
    private const int Requests = 8;

    [Fact]
    public async Task Eight_5_MB_bodies_at_once_get_413_and_the_process_does_not_grow_by_them()
    {
        await using var cluster = new SiloCluster("body-limit", new Dictionary<string, string?> { ["Admin:ApiKey"] = "body-limit-key" });
        var silo = await cluster.StartSiloAsync();
        await silo.Http.GetStringAsync("/sessions/report"); // the request path warmed up
        var before = ResidentMegabytes(silo.ProcessId!.Value);

        var statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => PostLargeBodyAsync(silo.HttpPort)));
        var after = ResidentMegabytes(silo.ProcessId!.Value);

        Assert.All(statuses, s => Assert.Equal("413", s));

        // Read whole, the bodies would be 40 MB as bytes and twice that as text; refused, they are not read.
        Assert.True(after - before < 20, $"resident memory grew from {before} MB to {after} MB");
    }

    /// <summary>Sends the headers and then the whole body, as a careless client does, and returns the status code.</summary>
    private static async Task<string> PostLargeBodyAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var head = $"POST /sessions/big/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: body-limit-key\r\nContent-Type: application/json\r\nContent-Length: {BodyBytes.ToString(CultureInfo.InvariantCulture)}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        // A JSON body whose text is 5 MB, so a server that read it would hold all of it.
        var opening = Encoding.ASCII.GetBytes("{\"text\":\"");
        var closing = Encoding.ASCII.GetBytes("\"}");
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        try
        {
            await stream.WriteAsync(opening);
            for (var left = BodyBytes - opening.Length - closing.Length; left > 0; left -= chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, Math.Min(left, chunk.Length)));
            }

            await stream.WriteAsync(closing);
        }
        catch (IOException)
        {
            // The server answered and closed the connection before the body was through.
        }

        var buffer = new byte[512];
        var read = await stream.ReadAsync(buffer);
        var statusLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        return statusLine.Split(' ')[1];
    }

    private static long ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
