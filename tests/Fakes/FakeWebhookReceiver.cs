using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Assistant.Fakes;

/// <summary>An HTTP endpoint on 127.0.0.1 that records the JSON bodies POSTed to it (alert webhooks).</summary>
public sealed class FakeWebhookReceiver : IAsyncDisposable
{
    private readonly object _sync = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    public ConcurrentQueue<JsonElement> Received { get; } = new();

    public string Url { get; private set; } = "";

    /// <summary>When set, each POST is recorded at once and answered only once this completes.</summary>
    public TaskCompletionSource? HoldResponses { get; set; }

    /// <summary>While set, each POST is recorded and answered with this status (a 5xx: the receiver is down).</summary>
    public int? FailWith { get; set; }

    public static async Task<FakeWebhookReceiver> StartAsync()
    {
        var receiver = new FakeWebhookReceiver();
        (receiver._app, var port) = await LoopbackServer.StartAsync(app => app.MapPost("/alerts", receiver.ReceiveAsync));
        receiver.Url = $"http://127.0.0.1:{port}/alerts";
        return receiver;
    }

    /// <summary>Completes once at least <paramref name="count"/> bodies matching <paramref name="match"/> have arrived.</summary>
    public async Task WaitForAsync(Func<JsonElement, bool> match, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            Task changed;
            lock (_sync)
            {
                if (Received.Count(match) >= count)
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"Timed out waiting for {count} matching webhook calls; received: {string.Join(" | ", Received)}");
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
        var body = await JsonDocument.ParseAsync(context.Request.Body);
        lock (_sync)
        {
            Received.Enqueue(body.RootElement.Clone());
            var fired = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            fired.TrySetResult();
        }

        if (HoldResponses is { } hold)
        {
            await hold.Task;
        }

        context.Response.StatusCode = FailWith ?? StatusCodes.Status204NoContent;
    }
}
