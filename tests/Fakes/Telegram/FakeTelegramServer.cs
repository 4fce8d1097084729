using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Assistant.Fakes.Telegram;

/// <summary>
/// A Telegram Bot API server on 127.0.0.1 (<c>POST /bot{token}/{method}</c>) for the real
/// Telegram.Bot client: getMe, getUpdates long polling with offsets, sendMessage, editMessageText,
/// setWebhook, deleteWebhook, getWebhookInfo, logOut. Users "write" through <see cref="SendUserMessage"/>.
/// Switches inject 429s, 5xx, 409s, rejected entities, slow or hanging responses. A 429 holds for
/// its <c>retry_after</c>, per chat, for the long poll, or bot-wide (<see cref="FloodBot"/>): a call
/// inside that window is refused again and recorded (<see cref="CallsInsideRetryWindows"/>), as a
/// client that does not wait would be treated. Time is <see cref="Clock"/>'s (a test's fake clock
/// when the service runs on one).
/// </summary>
public sealed class FakeTelegramServer : IAsyncDisposable
{
    public const string BotUsername = "test_assistant_bot";
    public const string BotFirstName = "Test Assistant";
    public const long BotId = 700_000_001;

    private readonly object _sync = new();
    private readonly List<JsonObject> _pending = [];
    private readonly List<JsonObject> _redeliver = [];
    private readonly Dictionary<long, int> _nextMessageId = [];
    private readonly List<FakeBotMessage> _botMessages = [];
    private readonly Dictionary<long, (int Sends, int RetryAfter)> _chatLimits = [];
    private readonly HashSet<(long Chat, int Message)> _deleted = [];
    private readonly ConcurrentQueue<FakeCall> _calls = new();
    private readonly ConcurrentDictionary<string, byte[]> _files = new();
    private readonly ConcurrentDictionary<string, bool> _gone = new();
    private readonly ConcurrentDictionary<long, int> _serverErrors = new();
    private readonly ConcurrentDictionary<string, (int Count, int Status)> _methodErrors = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _methodRetryAfter = new(StringComparer.OrdinalIgnoreCase);
    private readonly RetryWindows _windows;
    private int _floodSeconds;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _newUpdates = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _activePoll;
    private long _nextUpdateId = 100_000;
    private TaskCompletionSource? _hold;
    private int _sendsInProgress;
    private int _heldSends;
    private int _heldChatActions;
    private int _abortedWhileHeld;
    private WebApplication? _app;

    private FakeTelegramServer(string token)
    {
        Token = token;
        _windows = new RetryWindows(() => Clock.GetUtcNow());
    }

    /// <summary>The time windows and call stamps are kept in; the system's unless a test gives its fake clock.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Calls made while a 429's <c>retry_after</c> still held for their chat, the poll or the bot: none, from a client that waits.</summary>
    public IReadOnlyList<FakeCall> CallsInsideRetryWindows => [.. _calls.Where(c => c.InsideRetryWindow)];

    /// <summary>The next call of any method answers 429 with <paramref name="retryAfterSeconds"/>, and the bot is refused that long whatever it calls: a flood ban.</summary>
    public void FloodBot(int retryAfterSeconds) => Volatile.Write(ref _floodSeconds, retryAfterSeconds);

    /// <summary>The next <paramref name="count"/> calls of <paramref name="method"/> (any Bot API method, or <c>file</c> for downloads) answer <paramref name="status"/> (a 5xx).</summary>
    public void FailCalls(string method, int count, int status = 500) => _methodErrors[method] = (count, status);

    /// <summary>The next <paramref name="count"/> calls of <paramref name="method"/> (editMessageText, sendChatAction, ...) answer 429 with <paramref name="retryAfterSeconds"/>, each opening its chat's window.</summary>
    public void RateLimitCalls(string method, int count, int retryAfterSeconds)
    {
        _methodRetryAfter[method] = retryAfterSeconds;
        _methodErrors[method] = (count, 429);
    }

    /// <summary>The one token this bot answers to; every other gets 401, as a revoked one does.</summary>
    public string Token { get; private set; }

    /// <summary>The bot's username in getMe.</summary>
    public string Username { get; private set; } = BotUsername;

    /// <summary>@BotFather issued a new token (for this bot, or another one): the old one is refused from now on.</summary>
    public void Revoke(string newToken, string username)
    {
        Token = newToken;
        Username = username;
    }

    public int Port { get; private set; }

    /// <summary>The base URL to configure as <c>Telegram__ApiBaseUrl</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string? WebhookUrl { get; private set; }

    public string? WebhookSecret { get; private set; }

    /// <summary>The next this many sendMessage calls answer 429 with <see cref="RetryAfterSeconds"/>.</summary>
    public int TooManyRequestsForSends { get; set; }

    public int RetryAfterSeconds { get; set; } = 3;


    /// <summary>The next this many getUpdates calls answer 429 with <see cref="RetryAfterSeconds"/>.</summary>
    public int TooManyRequestsForGetUpdates { get; set; }

    /// <summary>Chats whose user blocked the bot: sendMessage and editMessageText answer 403.</summary>
    public ConcurrentDictionary<long, bool> BlockedChats { get; } = new();

    /// <summary>
    /// The next this many sendMessage calls create the message and then reset the connection
    /// instead of answering, as a network failure after the request reached Telegram.
    /// </summary>
    public int ResetAfterRecordingSends { get; set; }

    /// <summary>getUpdates answers 409 Conflict, as when another instance polls the same token.</summary>
    public bool ConflictOnGetUpdates { get; set; }

    /// <summary>Messages with a parse_mode are refused with "can't parse entities".</summary>
    public bool RejectEntities { get; set; }

    /// <summary>When set, only formatted messages containing this text are refused as <see cref="RejectEntities"/> refuses all.</summary>
    public string? RejectEntitiesContaining { get; set; }

    /// <summary>getUpdates never answers (until the caller gives up).</summary>
    public bool HangGetUpdates { get; set; }

    /// <summary>Delay before every answer.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>
    /// While set, sendMessage requests wait at the door, unprocessed. When released, a request
    /// whose client has gone (killed) is dropped, as a request that never reached Telegram.
    /// </summary>
    public bool HoldSends
    {
        get => _hold is not null;
        set
        {
            lock (_sync)
            {
                if (value && _hold is null)
                {
                    _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                else if (!value && _hold is not null)
                {
                    _hold.TrySetResult();
                    _hold = null;
                }
            }
        }
    }

    /// <summary>While not null, sendChatAction requests wait for this task before they are answered.</summary>
    public Task? HoldChatActions { get; set; }

    /// <summary>sendChatAction requests waiting for <see cref="HoldChatActions"/>.</summary>
    public int HeldChatActions => Volatile.Read(ref _heldChatActions);

    /// <summary>sendMessage requests being processed right now (past the hold).</summary>
    public int SendsInProgress => Volatile.Read(ref _sendsInProgress);

    /// <summary>sendMessage requests waiting at the door while <see cref="HoldSends"/> is set.</summary>
    public int HeldSends => Volatile.Read(ref _heldSends);

    /// <summary>Held sendMessage requests whose client went away while they waited (its silo was killed).</summary>
    public int AbortedWhileHeld => Volatile.Read(ref _abortedWhileHeld);

    public int DroppedSends => _calls.Count(c => c.Method == "sendMessage" && c.Status == 0);

    public IReadOnlyCollection<FakeCall> Calls => _calls;

    /// <summary>The ids of the files downloaded through the file URL, in order.</summary>
    public ConcurrentQueue<string> Downloads { get; } = new();

    /// <summary>Raised as the bot's message is created or edited, with its text at that moment (for latency measurements).</summary>
    public event Action<FakeBotMessage, string>? BotMessageChanged;

    public int Conflicts => _calls.Count(c => c.Status == 409);

    public static async Task<FakeTelegramServer> StartAsync(string token, int port = 0)
    {
        var server = new FakeTelegramServer(token);
        (server._app, server.Port) = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/bot{token}/{method}", server.HandleAsync);
            app.MapGet("/file/bot{token}/{**path}", server.DownloadAsync);
        }, port);
        return server;
    }

    /// <summary>A user writes to the bot; the update waits for getUpdates. Returns the user's message id.</summary>
    public int SendUserMessage(long chatId, long userId, string text, bool group = false, int? replyTo = null, string firstName = "Ann") =>
        Enqueue(UserMessage(chatId, userId, group, firstName, replyTo, m => m["text"] = text, text.StartsWith('/') ? Command(text) : null));

    /// <summary>A user sends a photo, sticker, voice message, document, video or location whose file the fake does not serve.</summary>
    public int SendUserMedia(long chatId, long userId, string kind, bool group = false) =>
        Enqueue(UserMessage(chatId, userId, group, "Ann", null, m => m[kind] = Media(kind), null));

    /// <summary>A user sends a document: <paramref name="content"/> is served by <c>getFile</c> and the file URL.</summary>
    /// <param name="sizeUnknown">Telegram says nothing of the file's size, in the message or in getFile.</param>
    public int SendUserDocument(long chatId, long userId, string fileName, byte[] content, string? caption = null, string? mimeType = null, bool sizeUnknown = false)
    {
        var fileId = (sizeUnknown ? "nosize-doc-" : "doc-") + Guid.NewGuid().ToString("N");
        _files[fileId] = content;
        return Enqueue(UserMessage(chatId, userId, false, "Ann", null, m =>
        {
            m["document"] = new JsonObject { ["file_id"] = fileId, ["file_unique_id"] = "u" + fileId, ["file_name"] = fileName, ["mime_type"] = mimeType, ["file_size"] = sizeUnknown ? null : content.Length };
            if (caption is not null)
            {
                m["caption"] = caption;
            }
        }, null));
    }

    /// <summary>
    /// A user sends a photo: Telegram offers it in several sizes, smallest first; each is served by
    /// <c>getFile</c> and the file URL. Returns the user's message id and each size's file id.
    /// </summary>
    public (int MessageId, IReadOnlyList<string> FileIds) SendUserPhoto(long chatId, long userId, IReadOnlyList<byte[]> sizes, string? caption = null)
    {
        var ids = new List<string>();
        var photo = new JsonArray();
        foreach (var (content, i) in sizes.Select((c, i) => (c, i)))
        {
            var fileId = $"photo{i}-" + Guid.NewGuid().ToString("N");
            _files[fileId] = content;
            ids.Add(fileId);
            photo.Add(new JsonObject { ["file_id"] = fileId, ["file_unique_id"] = "u" + fileId, ["width"] = 90 * (i + 1), ["height"] = 90 * (i + 1), ["file_size"] = content.Length });
        }

        var messageId = Enqueue(UserMessage(chatId, userId, false, "Ann", null, m =>
        {
            m["photo"] = photo;
            if (caption is not null)
            {
                m["caption"] = caption;
            }
        }, null));
        return (messageId, ids);
    }

    /// <summary>A user sends a voice message of <paramref name="durationSeconds"/>, served by <c>getFile</c> and the file URL.</summary>
    /// <param name="gone">getFile answers, but the file URL then answers 404 (the file expired in between).</param>
    public int SendUserVoice(long chatId, long userId, byte[] content, int durationSeconds, bool gone = false)
    {
        var fileId = "voice-" + Guid.NewGuid().ToString("N");
        _files[fileId] = content;
        if (gone)
        {
            _gone[fileId] = true;
        }

        return Enqueue(UserMessage(chatId, userId, false, "Ann", null, m =>
            m["voice"] = new JsonObject { ["file_id"] = fileId, ["file_unique_id"] = "u" + fileId, ["duration"] = durationSeconds, ["mime_type"] = "audio/ogg", ["file_size"] = content.Length }, null));
    }

    /// <summary>The update Telegram would POST to a webhook for a user's message (not queued for getUpdates).</summary>
    public string WebhookUpdate(long chatId, long userId, string text, out int messageId)
    {
        var update = UserMessage(chatId, userId, false, "Ann", null, m => m["text"] = text, null);
        lock (_sync)
        {
            update["update_id"] = ++_nextUpdateId;
        }

        messageId = update["message"]!["message_id"]!.GetValue<int>();
        return update.ToJsonString();
    }

    /// <summary>The next getUpdates returns this update again whatever the offset, as a redelivery would.</summary>
    public void Redeliver(int messageId, long chatId)
    {
        lock (_sync)
        {
            var update = _allUpdates.Single(u => u["message"]!["message_id"]!.GetValue<int>() == messageId && u["message"]!["chat"]!["id"]!.GetValue<long>() == chatId);
            _redeliver.Add(update);
            Pulse(ref _newUpdates);
        }
    }

    /// <summary>Per chat: the next <paramref name="sends"/> sendMessage calls to it answer 429 with <paramref name="retryAfterSeconds"/>.</summary>
    public void RateLimitChat(long chatId, int sends, int retryAfterSeconds)
    {
        lock (_sync)
        {
            _chatLimits[chatId] = (sends, retryAfterSeconds);
        }
    }

    /// <summary>Per chat: the next <paramref name="sends"/> sendMessage calls to it answer 500 Internal Server Error.</summary>
    public void FailSends(long chatId, int sends) => _serverErrors[chatId] = sends;

    /// <summary>The user deletes one of the bot's messages: editing it now fails with "message to edit not found".</summary>
    public void DeleteBotMessage(long chatId, int messageId)
    {
        lock (_sync)
        {
            _botMessages.RemoveAll(m => m.ChatId == chatId && m.MessageId == messageId);
            _deleted.Add((chatId, messageId));
        }
    }

    /// <summary>Update ids start again at <paramref name="next"/> (lower than before), as after a week without updates or a new token.</summary>
    public void RestartUpdateIds(long next)
    {
        lock (_sync)
        {
            _nextUpdateId = next - 1;
        }
    }

    public IReadOnlyList<FakeBotMessage> BotMessages(long chatId)
    {
        lock (_sync)
        {
            return [.. _botMessages.Where(m => m.ChatId == chatId)];
        }
    }

    /// <summary>The bot's messages that answer the user's message <paramref name="replyTo"/>.</summary>
    public IReadOnlyList<FakeBotMessage> RepliesTo(long chatId, int replyTo)
    {
        lock (_sync)
        {
            return [.. _botMessages.Where(m => m.ChatId == chatId && m.ReplyTo == replyTo)];
        }
    }

    /// <summary>Waits until the bot's messages in a chat satisfy <paramref name="condition"/>.</summary>
    public async Task WaitUntilAsync(long chatId, Func<IReadOnlyList<FakeBotMessage>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_sync)
            {
                if (condition([.. _botMessages.Where(m => m.ChatId == chatId)]))
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"Timed out waiting for {what} in chat {chatId}. Bot messages: " +
                    string.Join(" | ", BotMessages(chatId).Select(m => $"#{m.MessageId}→{m.ReplyTo}: {Shorten(m.Text)}")));
            }
        }
    }

    /// <summary>A user writes <paramref name="text"/> and waits for the bot's reply to it; returns the reply's text (the last, if it sent several).</summary>
    public async Task<string> AskAsync(long chatId, long userId, string text, TimeSpan? timeout = null)
    {
        var message = SendUserMessage(chatId, userId, text, group: chatId < 0);
        await WaitUntilAsync(chatId, m => m.Any(x => x.ReplyTo == message), $"the reply to '{text}'", timeout ?? TimeSpan.FromSeconds(30));
        return RepliesTo(chatId, message)[^1].Text;
    }

    /// <summary>Waits for the bot to call a method (at least <paramref name="count"/> times in all).</summary>
    public Task WaitForCallsAsync(string method, int count, TimeSpan? timeout = null) =>
        WaitForCallsAsync(c => c.Method == method, count, $"{count} calls of {method}", timeout);

    /// <summary>Completes once a call matching <paramref name="match"/> has been made.</summary>
    public Task WaitUntilCallAsync(Func<FakeCall, bool> match, string what, TimeSpan? timeout = null) => WaitForCallsAsync(match, 1, what, timeout);

    public async Task WaitForCallsAsync(Func<FakeCall, bool> match, int count, string what, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_sync)
            {
                if (_calls.Count(match) >= count)
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"Timed out waiting for {what}; saw {_calls.Count(match)}.");
            }
        }
    }

    /// <summary>
    /// Completes once the poller has confirmed, by its offset, every update issued so far: each was
    /// accepted (or parked) by the service, which confirms nothing before.
    /// </summary>
    public async Task WaitUntilConfirmedAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_sync)
            {
                if (_pending.Count == 0 && _redeliver.Count == 0)
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"Timed out waiting for the poller to confirm every update; {_pending.Count} unconfirmed.");
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

    private readonly List<JsonObject> _allUpdates = [];

    /// <summary>
    /// Numbers the update and makes it visible in one step, as Telegram does: a poller confirms by
    /// offset, so an update shown after a higher one would be dropped as already confirmed.
    /// </summary>
    private int Enqueue(JsonObject update)
    {
        lock (_sync)
        {
            update["update_id"] = ++_nextUpdateId;
            _pending.Add(update);
            _allUpdates.Add(update);
            Pulse(ref _newUpdates);
            return update["message"]!["message_id"]!.GetValue<int>();
        }
    }

    private JsonObject UserMessage(long chatId, long userId, bool group, string firstName, int? replyTo, Action<JsonObject> content, JsonArray? entities)
    {
        lock (_sync)
        {
            var message = new JsonObject
            {
                ["message_id"] = NextMessageId(chatId),
                ["from"] = new JsonObject { ["id"] = userId, ["is_bot"] = false, ["first_name"] = firstName },
                ["chat"] = group
                    ? new JsonObject { ["id"] = chatId, ["type"] = "supergroup", ["title"] = "Test group" }
                    : new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = firstName },
                ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            };
            content(message);
            if (entities is not null)
            {
                message["entities"] = entities;
            }

            if (replyTo is { } id && _botMessages.FirstOrDefault(m => m.ChatId == chatId && m.MessageId == id) is { } original)
            {
                message["reply_to_message"] = new JsonObject
                {
                    ["message_id"] = original.MessageId,
                    ["from"] = BotUser(),
                    ["chat"] = message["chat"]!.DeepClone(),
                    ["date"] = original.SentAt.ToUnixTimeSeconds(),
                    ["text"] = original.Text,
                };
            }

            return new JsonObject { ["message"] = message }; // numbered when it becomes visible (Enqueue, WebhookUpdate)
        }
    }

    private static JsonArray Command(string text) =>
        [new JsonObject { ["type"] = "bot_command", ["offset"] = 0, ["length"] = text.Split(' ')[0].Length }];

    private static JsonNode Media(string kind) => kind switch
    {
        "photo" => new JsonArray(new JsonObject { ["file_id"] = "p1", ["file_unique_id"] = "up1", ["width"] = 90, ["height"] = 90 }),
        "sticker" => new JsonObject { ["file_id"] = "s1", ["file_unique_id"] = "us1", ["type"] = "regular", ["width"] = 512, ["height"] = 512, ["is_animated"] = false, ["is_video"] = false },
        "voice" => new JsonObject { ["file_id"] = "v1", ["file_unique_id"] = "uv1", ["duration"] = 3 },
        "video" => new JsonObject { ["file_id"] = "m1", ["file_unique_id"] = "um1", ["width"] = 640, ["height"] = 360, ["duration"] = 12 },
        "location" => new JsonObject { ["latitude"] = 52.52, ["longitude"] = 13.405 },
        "contact" => new JsonObject { ["phone_number"] = "+10000000000", ["first_name"] = "Bo" },
        _ => new JsonObject { ["file_id"] = "d1", ["file_unique_id"] = "ud1", ["file_name"] = "archive.zip" },
    };

    private int NextMessageId(long chatId)
    {
        var id = _nextMessageId.GetValueOrDefault(chatId, 1);
        _nextMessageId[chatId] = id + 1;
        return id;
    }

    private JsonObject BotUser() => new() { ["id"] = BotId, ["is_bot"] = true, ["first_name"] = BotFirstName, ["username"] = Username };

    private async Task HandleAsync(HttpContext context, string token, string method)
    {
        if (ResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(ResponseDelay, context.RequestAborted);
        }

        if (token != Token)
        {
            await ErrorAsync(context, method, 401, "Unauthorized", null);
            return;
        }

        IFormFileCollection? files = null;
        JsonObject body;
        if (context.Request.HasFormContentType)
        {
            // A file upload (sendDocument): fields as the Bot API takes them, JSON-valued ones parsed.
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            files = form.Files;
            body = [];
            foreach (var (key, value) in form)
            {
                var text = value.ToString();
                body[key] = text.StartsWith('{') ? JsonNode.Parse(text) : JsonValue.Create(text);
            }
        }
        else
        {
            body = context.Request.ContentLength is 0 or null && !context.Request.HasJsonContentType()
                ? new JsonObject()
                : (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))?.AsObject() ?? new JsonObject();
        }
        var chat = body.ContainsKey("chat_id") ? ChatId(body) : (long?)null;
        if (_windows.Left(RetryWindows.Of(method, chat)) is { } left)
        {
            await TooManyAsync(context, method, chat, (int)Math.Ceiling(left.TotalSeconds), insideWindow: true);
            return;
        }

        if (Interlocked.Exchange(ref _floodSeconds, 0) is > 0 and var flood)
        {
            _windows.Open(RetryWindows.Bot, flood);
            await TooManyAsync(context, method, chat, flood, insideWindow: false);
            return;
        }

        if (TakeError(method) is { } status)
        {
            await (status == 429
                ? TooManyAsync(context, method, chat, _methodRetryAfter.GetValueOrDefault(method, RetryAfterSeconds), insideWindow: false)
                : ErrorAsync(context, method, status, status == 502 ? "Bad Gateway" : "Internal Server Error", chat));
            return;
        }

        switch (method.ToLowerInvariant())
        {
            case "getme":
                await OkAsync(context, method, BotUser(), null);
                break;
            case "getupdates":
                await GetUpdatesAsync(context, body);
                break;
            case "sendmessage":
                await SendMessageAsync(context, body);
                break;
            case "editmessagetext":
                await EditMessageAsync(context, body);
                break;
            case "senddocument":
                await SendDocumentAsync(context, body, files);
                break;
            case "setwebhook":
                WebhookUrl = body["url"]?.GetValue<string>();
                WebhookSecret = body["secret_token"]?.GetValue<string>();
                await OkAsync(context, method, true, null);
                break;
            case "deletewebhook":
                WebhookUrl = null;
                WebhookSecret = null;
                await OkAsync(context, method, true, null);
                break;
            case "getwebhookinfo":
                int pending;
                lock (_sync)
                {
                    pending = _pending.Count;
                }

                await OkAsync(context, method, new JsonObject { ["url"] = WebhookUrl ?? "", ["has_custom_certificate"] = false, ["pending_update_count"] = pending }, null);
                break;
            case "logout":
                await OkAsync(context, method, true, null);
                break;
            case "getfile":
                var id = body["file_id"]?.GetValue<string>() ?? "";
                if (!_files.TryGetValue(id, out var bytes))
                {
                    await ErrorAsync(context, method, 400, "Bad Request: invalid file_id", null);
                    break;
                }

                await OkAsync(context, method, new JsonObject { ["file_id"] = id, ["file_unique_id"] = "u" + id, ["file_size"] = id.StartsWith("nosize-", StringComparison.Ordinal) ? null : bytes.Length, ["file_path"] = $"documents/{id}" }, null);
                break;
            case "sendchataction":
                if (body["action"]?.GetValue<string>() is not ("typing" or "upload_photo" or "record_voice" or "upload_document"))
                {
                    await ErrorAsync(context, method, 400, "Bad Request: wrong parameter action in request", ChatId(body));
                    break;
                }

                if (HoldChatActions is { } held)
                {
                    Interlocked.Increment(ref _heldChatActions);
                    try
                    {
                        await held.WaitAsync(TimeSpan.FromMinutes(5), context.RequestAborted);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _heldChatActions);
                    }
                }

                await OkAsync(context, method, true, ChatId(body));
                break;
            default:
                await ErrorAsync(context, method, 404, "Not Found", null);
                break;
        }
    }

    private async Task GetUpdatesAsync(HttpContext context, JsonObject body)
    {
        if (WebhookUrl is not null)
        {
            await ErrorAsync(context, "getUpdates", 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", null);
            return;
        }

        if (TakeOne(() => TooManyRequestsForGetUpdates, v => TooManyRequestsForGetUpdates = v))
        {
            await TooManyAsync(context, "getUpdates", null, RetryAfterSeconds, insideWindow: false);
            return;
        }

        if (ConflictOnGetUpdates)
        {
            await ErrorAsync(context, "getUpdates", 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", null);
            return;
        }

        // A newer getUpdates ends the one still waiting, with 409, as Telegram does.
        using var mine = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var previous = Interlocked.Exchange(ref _activePoll, mine);
        previous?.Cancel();
        try
        {
            if (HangGetUpdates)
            {
                await Task.Delay(Timeout.Infinite, mine.Token);
            }

            var offset = body["offset"]?.GetValue<long>() ?? 0;
            var limit = body["limit"]?.GetValue<int>() ?? 100;
            var wait = TimeSpan.FromSeconds(body["timeout"]?.GetValue<int>() ?? 0);
            var deadline = DateTime.UtcNow + wait;
            while (true)
            {
                Task arrived;
                JsonArray? result = null;
                lock (_sync)
                {
                    // An offset beyond every update ever issued (ids started again lower) confirms nothing and finds nothing.
                    var future = offset > _nextUpdateId + 1;
                    if (!future)
                    {
                        if (_pending.RemoveAll(u => u["update_id"]!.GetValue<long>() < offset) > 0)
                        {
                            Pulse(ref _changed);
                        }
                    }

                    var ready = _redeliver.Concat(_pending.Where(u => !future && u["update_id"]!.GetValue<long>() >= offset)).Take(limit).ToList();
                    _redeliver.Clear();
                    if (ready.Count > 0 || DateTime.UtcNow >= deadline)
                    {
                        result = [.. ready.Select(u => u.DeepClone())];
                    }

                    arrived = _newUpdates.Task;
                }

                if (result is not null)
                {
                    await OkAsync(context, "getUpdates", result, null);
                    return;
                }

                var left = deadline - DateTime.UtcNow;
                await Task.WhenAny(arrived, Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, mine.Token));
                mine.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await ErrorAsync(context, "getUpdates", 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", null);
        }
        finally
        {
            Interlocked.CompareExchange(ref _activePoll, null, mine);
        }
    }

    private async Task SendMessageAsync(HttpContext context, JsonObject body)
    {
        var chatId = ChatId(body);
        if (_hold is { } hold)
        {
            Interlocked.Increment(ref _heldSends);
            using var aborted = context.RequestAborted.Register(() => Interlocked.Increment(ref _abortedWhileHeld));
            try
            {
                await hold.Task.WaitAsync(TimeSpan.FromMinutes(5));
            }
            finally
            {
                Interlocked.Decrement(ref _heldSends);
            }

            if (context.RequestAborted.IsCancellationRequested)
            {
                Record("sendMessage", 0, chatId);
                return;
            }
        }

        Interlocked.Increment(ref _sendsInProgress);
        try
        {
            await ProcessSendAsync(context, body, chatId);
        }
        finally
        {
            Interlocked.Decrement(ref _sendsInProgress);
        }
    }

    private async Task ProcessSendAsync(HttpContext context, JsonObject body, long chatId)
    {
        var text = body["text"]?.GetValue<string>() ?? "";
        var parseMode = body["parse_mode"]?.GetValue<string>();
        var retryAfter = RetryAfterSeconds;
        bool tooMany;
        if (_serverErrors.TryGetValue(chatId, out var errors) && errors > 0 && _serverErrors.TryUpdate(chatId, errors - 1, errors))
        {
            await ErrorAsync(context, "sendMessage", 500, "Internal Server Error", chatId);
            return;
        }

        lock (_sync)
        {
            tooMany = TooManyRequestsForSends > 0;
            if (tooMany)
            {
                TooManyRequestsForSends--;
            }
            else if (_chatLimits.TryGetValue(chatId, out var limit) && limit.Sends > 0)
            {
                tooMany = true;
                retryAfter = limit.RetryAfter;
                _chatLimits[chatId] = (limit.Sends - 1, limit.RetryAfter);
            }
        }

        if (tooMany)
        {
            await TooManyAsync(context, "sendMessage", chatId, retryAfter, insideWindow: false);
            return;
        }

        var (refused, shown) = await RefuseAsync(context, "sendMessage", chatId, text, parseMode);
        if (refused)
        {
            return;
        }

        FakeBotMessage message;
        lock (_sync)
        {
            message = new FakeBotMessage
            {
                ChatId = chatId,
                MessageId = NextMessageId(chatId),
                ReplyTo = body["reply_parameters"]?["message_id"]?.GetValue<int>() ?? body["reply_to_message_id"]?.GetValue<int>(),
                SentAt = DateTimeOffset.UtcNow,
                Text = shown,
                Formatted = text,
                ParseMode = parseMode,
            };
            _botMessages.Add(message);
        }

        BotMessageChanged?.Invoke(message, shown);
        if (TakeOne(() => ResetAfterRecordingSends, v => ResetAfterRecordingSends = v))
        {
            Record("sendMessage", -1, chatId);
            context.Abort();
            return;
        }

        await OkAsync(context, "sendMessage", MessageJson(message), chatId);
    }

    private async Task SendDocumentAsync(HttpContext context, JsonObject body, IFormFileCollection? files)
    {
        var chatId = ChatId(body);
        // The file comes as a part named "document", or named by the field: document=attach://<part name>.
        var part = body["document"]?.GetValue<string>() is { } field && field.StartsWith("attach://", StringComparison.Ordinal) ? field["attach://".Length..] : "document";
        if (files?.GetFile(part) is not { } file)
        {
            await ErrorAsync(context, "sendDocument", 400, $"Bad Request: there is no document in the request (fields: {string.Join(",", body.Select(p => p.Key + "=" + p.Value?.ToJsonString()))}; files: {string.Join(",", files?.Select(f => f.Name + "/" + f.FileName) ?? [])})", chatId);
            return;
        }

        if (BlockedChats.ContainsKey(chatId))
        {
            await ErrorAsync(context, "sendDocument", 403, "Forbidden: bot was blocked by the user", chatId);
            return;
        }

        using var content = new MemoryStream();
        await file.CopyToAsync(content, context.RequestAborted);
        FakeBotMessage message;
        lock (_sync)
        {
            var caption = body["caption"]?.GetValue<string>() ?? "";
            message = new FakeBotMessage
            {
                ChatId = chatId,
                MessageId = NextMessageId(chatId),
                ReplyTo = body["reply_parameters"]?["message_id"]?.GetValue<int>(),
                SentAt = DateTimeOffset.UtcNow,
                Text = caption,
                Formatted = caption,
                Document = new FakeDocument(file.FileName, file.ContentType, content.ToArray()),
            };
            _botMessages.Add(message);
        }

        BotMessageChanged?.Invoke(message, message.Text);
        var json = MessageJson(message);
        json.Remove("text");
        json["caption"] = message.Text;
        json["document"] = new JsonObject { ["file_id"] = $"doc{message.MessageId}", ["file_unique_id"] = $"udoc{message.MessageId}", ["file_name"] = file.FileName, ["file_size"] = content.Length };
        await OkAsync(context, "sendDocument", json, chatId);
    }

    private async Task EditMessageAsync(HttpContext context, JsonObject body)
    {
        var chatId = ChatId(body);
        var messageId = body["message_id"]!.GetValue<int>();
        var text = body["text"]?.GetValue<string>() ?? "";
        var parseMode = body["parse_mode"]?.GetValue<string>();
        var (refused, shown) = await RefuseAsync(context, "editMessageText", chatId, text, parseMode);
        if (refused)
        {
            return;
        }

        FakeBotMessage? message;
        lock (_sync)
        {
            message = _botMessages.FirstOrDefault(m => m.ChatId == chatId && m.MessageId == messageId);
        }

        if (message is null)
        {
            await ErrorAsync(context, "editMessageText", 400, "Bad Request: message to edit not found", chatId);
            return;
        }

        if (message.Text == shown && Formatting(message.Formatted, message.ParseMode) == Formatting(text, parseMode))
        {
            await ErrorAsync(context, "editMessageText", 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message", chatId);
            return;
        }

        lock (_sync)
        {
            message.Text = shown;
            message.Formatted = text;
            message.ParseMode = parseMode;
            message.Edits.Add(shown);
        }

        BotMessageChanged?.Invoke(message, shown);
        await OkAsync(context, "editMessageText", MessageJson(message), chatId);
    }

    /// <returns>Whether the message was refused, and else the text a client shows (HTML parsed).</returns>
    private async Task<(bool Refused, string Shown)> RefuseAsync(HttpContext context, string method, long chatId, string text, string? parseMode)
    {
        if (BlockedChats.ContainsKey(chatId))
        {
            await ErrorAsync(context, method, 403, "Forbidden: bot was blocked by the user", chatId);
            return (true, "");
        }

        var shown = text;
        if (string.Equals(parseMode, "HTML", StringComparison.OrdinalIgnoreCase))
        {
            var (parsed, error) = TelegramHtmlParser.Parse(text);
            if (error is not null)
            {
                await ErrorAsync(context, method, 400, $"Bad Request: can't parse entities: {error}", chatId);
                return (true, "");
            }

            shown = parsed!;
        }

        if (shown.Trim().Length is 0 || shown.Length > 4096)
        {
            await ErrorAsync(context, method, 400, shown.Trim().Length == 0 ? "Bad Request: message text is empty" : "Bad Request: message is too long", chatId);
            return (true, "");
        }

        if (parseMode is not null && (RejectEntities || RejectEntitiesContaining is { } marker && text.Contains(marker, StringComparison.Ordinal)))
        {
            await ErrorAsync(context, method, 400, "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 12", chatId);
            return (true, "");
        }

        return (false, shown);
    }

    /// <summary><c>GET /file/bot&lt;token&gt;/&lt;path&gt;</c>: a file's bytes, as Telegram's file server serves them.</summary>
    private async Task DownloadAsync(HttpContext context, string token, string path)
    {
        var fileId = path.Split('/')[^1];
        if (TakeError("file") is { } status)
        {
            Record("file", status, null);
            context.Response.StatusCode = status;
            await context.Response.WriteAsync("<html><body>Bad Gateway</body></html>");
            return;
        }

        Record("file", token == Token && _files.TryGetValue(fileId, out var bytes) && !_gone.ContainsKey(fileId) ? 200 : 404, null);
        if (token != Token || !_files.TryGetValue(fileId, out bytes) || _gone.ContainsKey(fileId))
        {
            // As Telegram's file server answers: a JSON error.
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(new JsonObject { ["ok"] = false, ["error_code"] = 404, ["description"] = "Not Found" });
            return;
        }

        Downloads.Enqueue(fileId);

        context.Response.ContentType = "application/octet-stream";
        await context.Response.Body.WriteAsync(bytes);
    }

    /// <summary>What sets a message's look apart beyond its text: plain text and the same text in HTML with no tags look alike.</summary>
    private static string Formatting(string text, string? parseMode) =>
        string.Equals(parseMode, "HTML", StringComparison.OrdinalIgnoreCase) ? text : text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private bool TakeOne(Func<int> get, Action<int> set)
    {
        lock (_sync)
        {
            if (get() <= 0)
            {
                return false;
            }

            set(get() - 1);
            return true;
        }
    }

    private static long ChatId(JsonObject body) => body["chat_id"] switch
    {
        JsonValue v when v.TryGetValue<long>(out var id) => id,
        JsonValue v => long.Parse(v.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
        _ => 0,
    };

    private JsonObject MessageJson(FakeBotMessage message)
    {
        var json = new JsonObject
        {
            ["message_id"] = message.MessageId,
            ["from"] = BotUser(),
            ["chat"] = new JsonObject { ["id"] = message.ChatId, ["type"] = message.ChatId < 0 ? "supergroup" : "private" },
            ["date"] = message.SentAt.ToUnixTimeSeconds(),
            ["text"] = message.Text,
        };
        if (message.Edits.Count > 0)
        {
            json["edit_date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        }

        return json;
    }

    private async Task OkAsync(HttpContext context, string method, JsonNode result, long? chatId)
    {
        Record(method, 200, chatId);
        await context.Response.WriteAsJsonAsync(new JsonObject { ["ok"] = true, ["result"] = result });
    }

    /// <summary>A 5xx scripted for this method, taken once; null when none is.</summary>
    private int? TakeError(string method)
    {
        while (_methodErrors.TryGetValue(method, out var scripted) && scripted.Count > 0)
        {
            if (_methodErrors.TryUpdate(method, (scripted.Count - 1, scripted.Status), scripted))
            {
                return scripted.Status;
            }
        }

        return null;
    }

    /// <summary>429 with <c>retry_after</c>; unless it answers a call inside a window, it opens one for the call's chat, or the poll.</summary>
    private async Task TooManyAsync(HttpContext context, string method, long? chatId, int retryAfter, bool insideWindow)
    {
        if (!insideWindow)
        {
            _windows.Open(chatId is { } chat ? RetryWindows.Chat(chat) : method.Equals("getUpdates", StringComparison.OrdinalIgnoreCase) ? RetryWindows.Poll : RetryWindows.Bot, retryAfter);
        }

        Record(method, 429, chatId, insideWindow);
        context.Response.StatusCode = 429;
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["ok"] = false,
            ["error_code"] = 429,
            ["description"] = $"Too Many Requests: retry after {retryAfter}",
            ["parameters"] = new JsonObject { ["retry_after"] = retryAfter },
        });
    }

    private async Task ErrorAsync(HttpContext context, string method, int code, string description, long? chatId, JsonObject? parameters = null)
    {
        Record(method, code, chatId);
        context.Response.StatusCode = code;
        var body = new JsonObject { ["ok"] = false, ["error_code"] = code, ["description"] = description };
        if (parameters is not null)
        {
            body["parameters"] = parameters;
        }

        await context.Response.WriteAsJsonAsync(body);
    }

    private void Record(string method, int status, long? chatId, bool insideWindow = false)
    {
        lock (_sync)
        {
            _calls.Enqueue(new FakeCall(method, Clock.GetUtcNow(), status, chatId, insideWindow));
            Pulse(ref _changed);
        }
    }

    private static void Pulse(ref TaskCompletionSource signal)
    {
        var fired = signal;
        signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fired.TrySetResult();
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
