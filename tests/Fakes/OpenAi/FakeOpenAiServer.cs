using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Assistant.Fakes.OpenAi;

/// <summary>
/// An OpenAI-compatible chat completions server on 127.0.0.1 (<c>POST /v1/chat/completions</c>,
/// streaming and not), as Ollama, vLLM or OpenAI itself would answer. Scripted responses are used
/// in order; afterwards <see cref="Responder"/> answers (by default it echoes the last user message).
/// Also <c>POST /v1/audio/transcriptions</c> (multipart, as Whisper takes it), answered by <see cref="Transcriber"/>.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<FakeResponse> _script = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private WebApplication? _app;

    public int Port { get; private set; }

    /// <summary>The base URL to configure as <c>AI__Endpoint</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";

    public ConcurrentQueue<FakeCompletionRequest> Requests { get; } = new();

    public ConcurrentQueue<FakeTranscriptionRequest> Transcriptions { get; } = new();

    /// <summary>Answers transcription requests: a <see cref="FakeResponse.Text"/> is the transcript, a <see cref="FakeResponse.Status"/> an error.</summary>
    public Func<FakeTranscriptionRequest, FakeResponse> Transcriber { get; set; } = DefaultTranscript;

    public static FakeResponse DefaultTranscript(FakeTranscriptionRequest request) => new FakeResponse.Text($"transcript of {request.Audio.Length} bytes");

    /// <summary>Answers requests once the script is used up.</summary>
    public Func<FakeCompletionRequest, FakeResponse> Responder { get; set; } = Echo;

    /// <summary>Answer a request that carries an image with 400, as an endpoint whose model has no vision does.</summary>
    public bool RejectImages { get; set; }

    /// <summary>
    /// Whether answers carry <c>usage</c> (default true, as OpenAI's do). Streamed answers carry it only
    /// when the request asks for it (<c>stream_options.include_usage</c>), as OpenAI's do; some
    /// self-hosted endpoints send none at all (false).
    /// </summary>
    public bool ReportsUsage { get; set; } = true;

    /// <summary>The usage each answer reported, in order: its prompt and completion tokens.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string Model, int Prompt, int Completion)> Reported { get; } = new();

    /// <summary>Time before each answer starts (the model "thinking").</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Time between streamed chunks.</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>The time requests are stamped with; the system's unless a test gives its fake clock.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The models this endpoint serves; a request for another gets 404 <c>model_not_found</c>, as OpenAI answers. Null serves any name.</summary>
    public ISet<string>? Models { get; set; } = DefaultModels();

    private static HashSet<string> DefaultModels() => new(StringComparer.Ordinal) { "fake-model", "fake-large", "fake-backup", "bench-model" };

    /// <summary>Characters of a tool call's arguments per streamed fragment.</summary>
    public const int ToolArgumentFragment = 3;

    public static FakeResponse Echo(FakeCompletionRequest request) => new FakeResponse.Text($"Echo: {request.LastUserText}");

    public static async Task<FakeOpenAiServer> StartAsync(int port = 0)
    {
        var server = new FakeOpenAiServer();
        (server._app, server.Port) = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v1/chat/completions", server.HandleAsync);
            app.MapPost("/v1/audio/transcriptions", server.TranscribeAsync);
        }, port);
        return server;
    }

    public void Enqueue(params FakeResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> requests have arrived since the last reset.</summary>
    public Task WaitForRequestsAsync(int count, TimeSpan? timeout = null)
    {
        lock (_waiters)
        {
            if (Requests.Count >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
    }

    public void Reset()
    {
        _script.Clear();
        Requests.Clear();
        Transcriptions.Clear();
        Responder = Echo;
        Transcriber = DefaultTranscript;
        RejectImages = false;
        ReportsUsage = true;
        Reported.Clear();
        Delay = TimeSpan.Zero;
        ChunkDelay = TimeSpan.Zero;
        Models = DefaultModels();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var request = Parse(context, body.RootElement.Clone()) with { At = Clock.GetUtcNow() };
        Requests.Enqueue(request);
        lock (_waiters)
        {
            foreach (var waiter in _waiters.Where(w => Requests.Count >= w.Count).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        if (FakeRequestRules.Refusal(request, Models) is { } refusal)
        {
            context.Response.StatusCode = refusal.Status;
            await context.Response.WriteAsJsonAsync(refusal.Body);
            return;
        }

        var response = RejectImages && request.Messages.Any(m => m.Parts.Any(p => p.Type == "image_url"))
            ? new FakeResponse.Status(400, Message: "Invalid content type. image_url is only supported by certain models.")
            : _script.TryDequeue(out var scripted) ? scripted : Responder(request);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        switch (response)
        {
            case FakeResponse.Status status:
                context.Response.StatusCode = status.Code;
                if (status.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }

                await context.Response.WriteAsJsonAsync(new { error = new { message = status.Message ?? $"fake error {status.Code}", type = "fake_error", code = status.Code.ToString(CultureInfo.InvariantCulture) } });
                return;
            case FakeResponse.Garbage garbage:
                context.Response.ContentType = request.Stream ? "text/event-stream" : "application/json";
                await context.Response.WriteAsync(request.Stream ? $"data: {garbage.Body}\n\n" : garbage.Body);
                return;
            case FakeResponse.Held held:
                await held.Release.WaitAsync(context.RequestAborted);
                await WriteTextAsync(context, request, held.Content, 8, null);
                return;
            case FakeResponse.HeldMidStream mid:
                await WriteTextAsync(context, request, mid.Head + mid.Tail, Math.Max(1, mid.Head.Length), mid);
                return;
            case FakeResponse.ToolCall call:
                await WriteToolCallsAsync(context, request, [call]);
                return;
            case FakeResponse.ToolCalls calls:
                await WriteToolCallsAsync(context, request, calls.Calls);
                return;
            case FakeResponse.Text text:
                await WriteTextAsync(context, request, text.Content, text.ChunkSize, null, text.FinishReason);
                return;
        }
    }

    private async Task TranscribeAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var file = form.Files.GetFile("file");
        using var audio = new MemoryStream();
        if (file is not null)
        {
            await file.CopyToAsync(audio, context.RequestAborted);
        }

        var request = new FakeTranscriptionRequest(context.Request.Headers.Authorization.ToString(), form["model"].ToString(), file?.FileName ?? "", audio.ToArray());
        Transcriptions.Enqueue(request);
        switch (Transcriber(request))
        {
            case FakeResponse.Status status:
                context.Response.StatusCode = status.Code;
                await context.Response.WriteAsJsonAsync(new { error = new { message = status.Message ?? $"fake error {status.Code}", type = "fake_error", code = status.Code.ToString(CultureInfo.InvariantCulture) } });
                return;
            case FakeResponse.Text text:
                await context.Response.WriteAsJsonAsync(new { text = text.Content });
                return;
            case FakeResponse.Held held:
                await held.Release.WaitAsync(context.RequestAborted);
                await context.Response.WriteAsJsonAsync(new { text = held.Content });
                return;
            default:
                throw new NotSupportedException("A transcription answers with Text, Held or Status.");
        }
    }

    private static FakeCompletionRequest Parse(HttpContext context, JsonElement body)
    {
        var messages = body.GetProperty("messages").EnumerateArray().Select(ParseMessage).ToList();
        var tools = body.TryGetProperty("tools", out var t)
            ? t.EnumerateArray().Select(x => x.GetProperty("function").GetProperty("name").GetString()!).ToList()
            : [];
        return new FakeCompletionRequest(
            context.Request.Headers.Authorization.ToString(),
            body.GetProperty("model").GetString()!,
            body.TryGetProperty("stream", out var s) && s.GetBoolean(),
            messages,
            tools,
            body.TryGetProperty("max_completion_tokens", out var max) ? max.GetInt32() : null,
            body);
    }

    private static FakeMessage ParseMessage(JsonElement message)
    {
        var role = message.GetProperty("role").GetString()!;
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return new FakeMessage(role, null, []);
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            var text = content.ValueKind == JsonValueKind.String ? content.GetString() : content.ToString();
            return new FakeMessage(role, text, [new FakePart("text", text, null)]);
        }

        var parts = content.EnumerateArray().Select(p => new FakePart(
            p.GetProperty("type").GetString()!,
            p.TryGetProperty("text", out var t) ? t.GetString() : null,
            p.TryGetProperty("image_url", out var image) ? image.GetProperty("url").GetString() : null)).ToList();
        return new FakeMessage(role, string.Join("\n", parts.Where(p => p.Text is not null).Select(p => p.Text)), parts);
    }

    private async Task WriteTextAsync(HttpContext context, FakeCompletionRequest request, string content, int chunkSize, FakeResponse.HeldMidStream? hold, string finishReason = "stop")
    {
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        if (!request.Stream)
        {
            await context.Response.WriteAsJsonAsync(WithUsage(request, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["model"] = request.Model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                    ["finish_reason"] = finishReason,
                }),
            }, content));
            return;
        }

        await StartStreamAsync(context);
        var sent = 0;
        await WriteChunkAsync(context, Chunk(id, request.Model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        for (var i = 0; i < content.Length; i += chunkSize)
        {
            if (hold is not null && sent >= hold.Head.Length)
            {
                await hold.Release.WaitAsync(context.RequestAborted);
                hold = null;
            }

            var piece = content.Substring(i, Math.Min(chunkSize, content.Length - i));
            sent += piece.Length;
            await WriteChunkAsync(context, Chunk(id, request.Model, new JsonObject { ["content"] = piece }, null));
            if (ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChunkDelay, context.RequestAborted);
            }
        }

        await FinishStreamAsync(context, id, request, content, finishReason);
    }

    /// <summary>
    /// Tool calls as real endpoints send them: whole in a plain answer; streamed, each call's id and
    /// name first, then its arguments in fragments of <see cref="ToolArgumentFragment"/> characters,
    /// the calls one after another by index.
    /// </summary>
    private async Task WriteToolCallsAsync(HttpContext context, FakeCompletionRequest request, IReadOnlyList<FakeResponse.ToolCall> calls)
    {
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var ids = calls.Select(_ => $"call_{Guid.NewGuid():N}"[..20]).ToList();
        if (!request.Stream)
        {
            var whole = new JsonArray([.. calls.Select((c, i) => (JsonNode)new JsonObject
            {
                ["index"] = i,
                ["id"] = ids[i],
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
            })]);
            await context.Response.WriteAsJsonAsync(WithUsage(request, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["model"] = request.Model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = whole },
                    ["finish_reason"] = "tool_calls",
                }),
            }, ""));
            return;
        }

        await StartStreamAsync(context);
        await WriteChunkAsync(context, Chunk(id, request.Model, new JsonObject { ["role"] = "assistant", ["content"] = null }, null));
        for (var i = 0; i < calls.Count; i++)
        {
            await WriteChunkAsync(context, Chunk(id, request.Model, new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = i,
                    ["id"] = ids[i],
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = calls[i].Name, ["arguments"] = "" },
                }),
            }, null));
            var arguments = calls[i].ArgumentsJson;
            for (var at = 0; at < arguments.Length; at += ToolArgumentFragment)
            {
                await WriteChunkAsync(context, Chunk(id, request.Model, new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["index"] = i,
                        ["function"] = new JsonObject { ["arguments"] = arguments.Substring(at, Math.Min(ToolArgumentFragment, arguments.Length - at)) },
                    }),
                }, null));
            }
        }

        await FinishStreamAsync(context, id, request, "", "tool_calls");
    }

    private static async Task StartStreamAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private async Task FinishStreamAsync(HttpContext context, string id, FakeCompletionRequest request, string content, string finishReason)
    {
        await WriteChunkAsync(context, Chunk(id, request.Model, new JsonObject(), finishReason));
        if (request.Body.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True
            && Usage(request, content) is { } reported)
        {
            var usage = Chunk(id, request.Model, null, null);
            usage["choices"] = new JsonArray();
            usage["usage"] = reported;
            await WriteChunkAsync(context, usage);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static JsonObject Chunk(string id, string model, JsonObject? delta, string? finishReason)
    {
        var chunk = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = model,
        };
        if (delta is not null)
        {
            chunk["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason });
        }

        return chunk;
    }

    private JsonObject WithUsage(FakeCompletionRequest request, JsonObject answer, string content)
    {
        if (Usage(request, content) is { } usage)
        {
            answer["usage"] = usage;
        }

        return answer;
    }

    private JsonObject? Usage(FakeCompletionRequest request, string content)
    {
        if (!ReportsUsage)
        {
            return null;
        }

        // Counted as OpenAI counts for its current models: each message's text and three tokens of framing, three to prime the answer.
        var prompt = request.Messages.Sum(m => 3 + Tokens.Value.CountTokens(m.Content ?? "")) + 3;
        var completion = Math.Max(1, Tokens.Value.CountTokens(content));
        Reported.Enqueue((request.Model, prompt, completion));
        return new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };
    }

    private static readonly Lazy<Microsoft.ML.Tokenizers.Tokenizer> Tokens = new(() => Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base"));

    private static async Task WriteChunkAsync(HttpContext context, JsonObject chunk)
    {
        var line = new StringBuilder("data: ").Append(chunk.ToJsonString()).Append("\n\n").ToString();
        await context.Response.WriteAsync(line, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
