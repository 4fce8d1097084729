using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Assistant.Fakes.OpenAi;

namespace Assistant.LoadDriver;

/// <summary>
/// Throughput over HTTP: chat exchanges through <c>POST /sessions/{id}/messages</c> (model on the
/// fake server, delay 0), and <c>GET /health</c> requests.
/// </summary>
internal static class HttpThroughput
{
    public static async Task RunAsync(Report report, Uri? target, bool quick)
    {
        var duration = TimeSpan.FromSeconds(quick ? 3 : 10);
        await using var model = target is null ? await FakeOpenAiServer.StartAsync() : null;
        ServiceProcess? service = null;
        try
        {
            if (target is null)
            {
                var directory = ServiceSettings.NewDirectory("http");
                service = new ServiceProcess(directory, ServiceSettings.Embedded(directory, model));
                await service.StartUntilHealthyAsync();
            }

            var baseAddress = target ?? service!.Http.BaseAddress!;
            Console.WriteLine($"HTTP exchanges against {baseAddress} ...");
            await ExchangesAsync(report, baseAddress, 32, duration);
            Console.WriteLine($"GET /health against {baseAddress} ...");
            await HealthAsync(report, baseAddress, 32, duration);
            if (service is not null)
            {
                await LargeBodies.RunAsync(report, service); // its memory is measured from /proc: a process of this driver's
            }
        }
        finally
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }
    }

    private static async Task ExchangesAsync(Report report, Uri baseAddress, int concurrency, TimeSpan duration)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var run = Guid.NewGuid().ToString("N")[..6];
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var warmUntil = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
        var stopAt = warmUntil + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            var session = $"bench-{run}-{worker}";
            for (var i = 0; ; i++)
            {
                var sent = Stopwatch.GetTimestamp();
                if (sent >= stopAt)
                {
                    return;
                }

                using var response = await http.PostAsJsonAsync($"/sessions/{session}/messages", new { text = string.Create(CultureInfo.InvariantCulture, $"message {i} from {session}") });
                await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
                else if (sent >= warmUntil)
                {
                    mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
            }
        }));

        var sorted = latencies.SelectMany(l => l).Order().ToList();
        var note = $"{concurrency} sessions in parallel, {duration.TotalSeconds:0} s, {failures} failed";
        report.Add(new Figure("HTTP /sessions/{id}/messages", "exchanges per second", sorted.Count / duration.TotalSeconds, "/s", Note: note));
        report.Add(new Figure("HTTP /sessions/{id}/messages", "p50", Percentiles.Of(sorted, 50), "ms"));
        report.Add(new Figure("HTTP /sessions/{id}/messages", "p99", Percentiles.Of(sorted, 99), "ms"));
    }

    /// <summary>
    /// Keep-alive connections, each sending the next request when the previous answer is complete
    /// (no pipelining), with a minimal HTTP/1.1 client so the driver spends little of the shared CPU.
    /// </summary>
    private static async Task HealthAsync(Report report, Uri baseAddress, int connections, TimeSpan duration)
    {
        var request = Encoding.ASCII.GetBytes($"GET /health HTTP/1.1\r\nHost: {baseAddress.Authority}\r\n\r\n");
        long completed = 0, failed = 0;
        var warmUntil = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
        var stopAt = warmUntil + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(baseAddress.Host, baseAddress.Port);
            var reader = new ResponseReader(socket);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                await socket.SendAsync(request);
                var status = await reader.ReadAsync();
                if (Stopwatch.GetTimestamp() < warmUntil)
                {
                    continue;
                }

                if (status == 200)
                {
                    Interlocked.Increment(ref completed);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));

        report.AtLeast("HTTP /health", "requests per second", completed / duration.TotalSeconds, "/s", 20_000,
            $"{connections} keep-alive connections, {duration.TotalSeconds:0} s, {failed} not 200");
    }

    /// <summary>Reads one HTTP/1.1 response (Content-Length or chunked) and returns its status code.</summary>
    private sealed class ResponseReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<int> ReadAsync()
        {
            int headerEnd;
            while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                await FillAsync();
            }

            var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd);
            var status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
            _start += headerEnd + 4;
            var length = Header(head, "content-length") is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : -1;
            if (length >= 0)
            {
                while (_end - _start < length)
                {
                    await FillAsync();
                }

                _start += length;
            }
            else
            {
                // Chunked: skip until the terminating zero-length chunk.
                int end;
                while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("0\r\n\r\n"u8)) < 0)
                {
                    await FillAsync();
                }

                _start += end + 5;
            }

            return status;
        }

        private async Task FillAsync()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await socket.ReceiveAsync(_buffer.AsMemory(_end));
            if (read == 0)
            {
                throw new IOException("The server closed the connection");
            }

            _end += read;
        }

        private static string? Header(string head, string name)
        {
            foreach (var line in head.Split("\r\n"))
            {
                var colon = line.IndexOf(':');
                if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return line[(colon + 1)..].Trim();
                }
            }

            return null;
        }
    }
}
