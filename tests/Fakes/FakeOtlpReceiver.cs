using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Assistant.Fakes;

/// <summary>
/// An OpenTelemetry collector's OTLP/HTTP metrics endpoint on 127.0.0.1 (<c>POST /v1/metrics</c>,
/// protobuf): it keeps each export's bytes and answers with the empty success response.
/// </summary>
public sealed class FakeOtlpReceiver : IAsyncDisposable
{
    private readonly object _sync = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    public ConcurrentQueue<(string? ContentType, byte[] Body)> Exports { get; } = new();

    /// <summary>The collector's base address, as <c>Telemetry:OtlpEndpoint</c> takes it.</summary>
    public string Endpoint { get; private set; } = "";

    public static async Task<FakeOtlpReceiver> StartAsync()
    {
        var receiver = new FakeOtlpReceiver();
        (receiver._app, var port) = await LoopbackServer.StartAsync(app => app.MapPost("/v1/metrics", receiver.ReceiveAsync));
        receiver.Endpoint = $"http://127.0.0.1:{port}";
        return receiver;
    }

    /// <summary>Completes with the first export that satisfies <paramref name="match"/>.</summary>
    public async Task<(string? ContentType, byte[] Body)> WaitForAsync(Func<byte[], bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_sync)
            {
                foreach (var export in Exports)
                {
                    if (match(export.Body))
                    {
                        return export;
                    }
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"No matching OTLP export within {timeout.TotalSeconds} s ({Exports.Count} received).");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        lock (_sync)
        {
            Exports.Enqueue((context.Request.ContentType, body.ToArray()));
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
