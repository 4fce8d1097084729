using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Assistant.LoadDriver;

/// <summary>
/// Bodies over <c>Api:MaxBodyBytes</c> are refused before they are read: eight clients send 5 MB
/// each at once, whether or not the server listens, and the silo's resident memory is measured
/// before and after (/proc). Read whole, the bodies would be 40 MB as bytes and twice that as text.
/// </summary>
internal static class LargeBodies
{
    private const int BodyBytes = 5 * 1024 * 1024;
    private const int Requests = 8;

    public static async Task RunAsync(Report report, ServiceProcess service)
    {
        Console.WriteLine("Eight 5 MB bodies at once ...");
        await service.Http.GetStringAsync("/sessions/report"); // the request path warmed up
        var before = service.ResidentBytes();
        var statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => PostLargeBodyAsync(service.HttpPort)));
        var grown = (service.ResidentBytes() - before) / 1024.0 / 1024.0;
        report.AtMost("HTTP bodies over Api:MaxBodyBytes", "resident memory grown by eight 5 MB bodies at once", grown, "MB", 20,
            $"answers: {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Count()} x {g.Key}"))}");
    }

    /// <summary>Sends the headers and then the whole body, as a careless client does, and returns the status code.</summary>
    private static async Task<string> PostLargeBodyAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var head = $"POST /sessions/big/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {BodyBytes.ToString(CultureInfo.InvariantCulture)}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
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
        return Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0].Split(' ')[1];
    }
}
