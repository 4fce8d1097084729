using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Assistant.IntegrationTests.Scaling;

/// <summary>
/// Three real silo processes under a steady load of Telegram chats and HTTP sessions (a fake
/// model answering in 150 ms); a silo is killed with SIGKILL and later restarted, twice. At the
/// end every Telegram message has exactly one reply, every HTTP request got its reply, and no
/// context lost a message.
/// </summary>
/// <remarks>
/// The kills are placed outside Telegram's send window: just before each kill the fake Bot API
/// holds new sendMessage requests at the door (they are dropped if their silo dies, as requests
/// that never reached Telegram), and the kill waits until every Telegram reply in progress on any
/// silo (<c>assistant_replies_in_progress{channel="telegram"}</c>) is one of those held. A kill
/// inside that window — after Telegram created a message, before the silo recorded its id — can
/// produce a second reply: the Bot API has no idempotency key (docs/scaling.md).
/// </remarks>
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int TelegramUsers = 6;
    private const int HttpUsers = 3;

    /// <summary>How long the OpenTelemetry Prometheus exporter reuses a scrape (its documented default).</summary>
    private const int ScrapeCacheMilliseconds = 300;

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Killing_silos_under_load_loses_and_duplicates_nothing(StorageKind kind)
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        model.Delay = TimeSpan.FromMilliseconds(150);
        var directory = TestPaths.NewTempDirectory("chaos");
        var settings = await TestStorage.SettingsAsync(kind, directory, "chaos");
        foreach (var (key, value) in ModelSiloFixture.Settings(model).Concat(TelegramSiloFixture.Settings(telegram)))
        {
            settings[key] = value;
        }

        settings["Telegram:RecoverySeconds"] = "2";
        settings["Admin:ApiKey"] = "chaos-operator-key"; // to read the Telegram chats' conversations
        // Every message must stay in its context for the count at the end: the monitor's optimisation
        // cycle would prune contexts on a silo over 70 % of the 500 MB limit, which these reach under load.
        settings["Monitoring:OptimizeAbovePercent"] = "100";
        settings["Sessions:MaxContextMessages"] = "5000";
        settings["Sessions:MaxContextTokens"] = "1000000";
        settings["Telegram:FloodGate:PerChatPerSecond"] = "100";
        settings["Telegram:FloodGate:GlobalPerSecond"] = "1000";
        await using var cluster = new SiloCluster("chaos", settings);
        for (var i = 0; i < 3; i++)
        {
            await cluster.StartSiloAsync();
        }

        await telegram.WaitForCallsAsync("getUpdates", 1);
        var load = new Load(cluster, telegram);
        var running = load.RunAsync();
        await load.WaitForRepliesAsync(2);

        var reports = new List<string>();
        var firstVictim = await ChannelSiloAsync(cluster);
        reports.Add(await KillAndRestartAsync(cluster, telegram, load, firstVictim));
        await load.WaitForRepliesAsync(2);
        var secondVictim = cluster.Silos.First(s => s != firstVictim && !s.HasExited);
        reports.Add(await KillAndRestartAsync(cluster, telegram, load, secondVictim));
        await load.WaitForRepliesAsync(2);

        load.Stop();
        await running;
        foreach (var report in reports)
        {
            output.WriteLine(report);
        }

        output.WriteLine($"{kind}: {load.TelegramSent.Values.Sum(q => q.Count)} Telegram messages, {load.HttpReplies} HTTP exchanges, {telegram.DroppedSends} sends dropped with their silo, {load.HttpRefusals.Count} HTTP answers not 2xx.");
        foreach (var refusal in load.HttpRefusals)
        {
            output.WriteLine($"  not 2xx: {refusal}");
        }

        // A caller may see a silo fail under it (its connection drops) and try another, but a running
        // silo does not answer a valid message with an error: the cluster's retries cover a dead silo's grains.
        Assert.Empty(load.HttpRefusals);
        await AssertNothingLostOrDuplicatedAsync(cluster, telegram, load);
    }

    /// <summary>Kills a silo outside Telegram's send window, measures the first reply after it, restarts it.</summary>
    private static async Task<string> KillAndRestartAsync(SiloCluster cluster, FakeTelegramServer telegram, Load load, SiloProcess victim)
    {
        telegram.HoldSends = true;
        await Task.Delay(ScrapeCacheMilliseconds + 100); // every scrape from now on was taken after the hold began
        var quiet = Stopwatch.StartNew();
        double victimHeld;
        while ((victimHeld = await VictimRepliesIfAllHeldAsync(cluster, telegram, victim)) < 0)
        {
            Assert.True(quiet.Elapsed < TimeSpan.FromSeconds(30), "Telegram replies did not settle at the door before the kill");
            await Task.Delay(20);
        }

        var abortedBefore = telegram.AbortedWhileHeld;
        await victim.KillAsync();
        var killedAt = Stopwatch.GetTimestamp();

        // The victim's held requests must be seen as aborted before the door opens, or the fake
        // would process a request whose silo is dead (Kestrel notices a reset asynchronously).
        await Eventually.WaitAsync(() => Task.FromResult(telegram.AbortedWhileHeld - abortedBefore >= victimHeld), $"the killed silo's {victimHeld} held sends to be aborted", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        telegram.HoldSends = false;

        var (first, all) = await load.WaitForEveryUserAfterAsync(killedAt);
        await Task.Delay(TimeSpan.FromSeconds(3)); // stays dead a while, as a crashed host would
        await victim.StartAndWaitHealthyAsync(TimeSpan.FromSeconds(120));
        return $"killed silo on port {victim.SiloPort}: first reply served by a surviving silo {Stopwatch.GetElapsedTime(killedAt, first).TotalMilliseconds:0} ms after the kill; " +
            $"every user answered again within {Stopwatch.GetElapsedTime(killedAt, all).TotalMilliseconds:0} ms";
    }

    /// <summary>
    /// True when no sendMessage is past the door and every Telegram reply in progress is waiting at
    /// it: then no silo holds a message Telegram created but the silo has not yet recorded.
    /// </summary>
    /// <returns>The victim's replies in progress when all are held; -1 while they are not.</returns>
    private static async Task<double> VictimRepliesIfAllHeldAsync(SiloCluster cluster, FakeTelegramServer telegram, SiloProcess victim)
    {
        var held = telegram.HeldSends;
        double writing = 0;
        double victims = 0;
        foreach (var silo in cluster.Running)
        {
            var value = new PrometheusText(await silo.Http.GetStringAsync("/metrics")).Value("assistant_replies_in_progress", ("channel", "telegram"));
            writing += value;
            victims += silo == victim ? value : 0;
        }

        return telegram.SendsInProgress == 0 && telegram.HeldSends == held && writing == held ? victims : -1;
    }

    private static async Task<SiloProcess> ChannelSiloAsync(SiloCluster cluster)
    {
        using var status = JsonDocument.Parse(await cluster.Silos[0].Http.GetStringAsync("/telegram/status"));
        return cluster.ByName(status.RootElement.GetProperty("channel_silo").GetString()!);
    }

    private static async Task AssertNothingLostOrDuplicatedAsync(SiloCluster cluster, FakeTelegramServer telegram, Load load)
    {
        var http = cluster.Running.First().Http;
        foreach (var (chat, messages) in load.TelegramSent)
        {
            foreach (var (messageId, text) in messages)
            {
                await telegram.WaitUntilAsync(chat, m => m.Any(x => x.ReplyTo == messageId), $"the reply to '{text}'", TimeSpan.FromSeconds(60));
                var replies = telegram.RepliesTo(chat, messageId);
                Assert.True(replies.Count == 1, $"chat {chat}, '{text}': {replies.Count} replies");
                Assert.Equal($"Echo: {text}", replies[0].Text);
            }

            var session = await RetryAsync(() => http.GetTelegramChatAsync(chat));
            var texts = SessionClient.Texts(session);
            foreach (var (_, text) in messages)
            {
                Assert.True(texts.Count(t => t == text) == 1, $"chat {chat}: '{text}' is in the context {texts.Count(t => t == text)} times");
            }
        }

        foreach (var (id, texts) in load.HttpSent)
        {
            var session = await RetryAsync(() => http.GetSessionAsync(id));
            var context = SessionClient.Texts(session);
            foreach (var text in texts)
            {
                Assert.Contains(text, context);
            }
        }
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (attempt < 10)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Users who each send a message, wait for its reply, pause, and send the next.</summary>
    private sealed class Load(SiloCluster cluster, FakeTelegramServer telegram)
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<long> _replyTimes = new();
        private readonly ConcurrentDictionary<string, long> _lastReplyStarted = new();
        private readonly ConcurrentDictionary<string, long> _lastReply = new();
        private int _httpReplies;

        public ConcurrentDictionary<long, ConcurrentQueue<(int MessageId, string Text)>> TelegramSent { get; } = new();

        public ConcurrentDictionary<string, ConcurrentQueue<string>> HttpSent { get; } = new();

        public int HttpReplies => _httpReplies;

        /// <summary>Every answer of a running silo that was not a 2xx, by status, with its problem's title: a user saw each.</summary>
        public ConcurrentQueue<string> HttpRefusals { get; } = new();

        public Task RunAsync() => Task.WhenAll(
            Enumerable.Range(1, TelegramUsers).Select(i => TelegramUserAsync(90_000 + i))
            .Concat(Enumerable.Range(1, HttpUsers).Select(i => HttpUserAsync($"chaos-http-{i}"))));

        public void Stop() => _stop.Cancel();

        /// <summary>Waits until every user has had <paramref name="more"/> more replies.</summary>
        public async Task WaitForRepliesAsync(int more)
        {
            var target = _replyTimes.Count + ((TelegramUsers + HttpUsers) * more);
            var deadline = Stopwatch.StartNew();
            while (_replyTimes.Count < target)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120), $"the load stalled at {_replyTimes.Count} replies");
                await Task.Delay(50);
            }
        }

        /// <summary>
        /// Waits until every user has had a reply to a message sent after <paramref name="killedAt"/>;
        /// returns when the first such reply came, and when the last user's did.
        /// </summary>
        public async Task<(long First, long All)> WaitForEveryUserAfterAsync(long killedAt)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var answered = _lastReply.Where(r => _lastReplyStarted.TryGetValue(r.Key, out var started) && started > killedAt && r.Value > started).ToList();
                if (answered.Count == TelegramUsers + HttpUsers)
                {
                    return (answered.Min(r => r.Value), answered.Max(r => r.Value));
                }

                Assert.True(
                    deadline.Elapsed < TimeSpan.FromSeconds(120),
                    $"only {answered.Count} users were answered after the kill; not: {string.Join(", ", Users.Except(answered.Select(r => r.Key)).Select(Describe))}");
                await Task.Delay(5);
            }
        }

        private IEnumerable<string> Users =>
            Enumerable.Range(1, TelegramUsers).Select(i => $"tg{90_000 + i}").Concat(Enumerable.Range(1, HttpUsers).Select(i => $"chaos-http-{i}"));

        /// <summary>The user and the last message they sent, for a failure message.</summary>
        private string Describe(string user) =>
            user.StartsWith("tg", StringComparison.Ordinal)
                ? $"{user} (last sent '{TelegramSent.GetValueOrDefault(long.Parse(user[2..], System.Globalization.CultureInfo.InvariantCulture))?.LastOrDefault().Text}')"
                : $"{user} (last sent '{HttpSent.GetValueOrDefault(user)?.LastOrDefault()}')";

        private void Replied(string user, long started)
        {
            var now = Stopwatch.GetTimestamp();
            _lastReplyStarted[user] = started;
            _lastReply[user] = now;
            _replyTimes.Enqueue(now);
        }

        private async Task TelegramUserAsync(long chat)
        {
            var sent = TelegramSent.GetOrAdd(chat, _ => new());
            for (var n = 1; !_stop.IsCancellationRequested; n++)
            {
                var text = $"tg {chat} #{n}";
                var started = Stopwatch.GetTimestamp();
                var id = telegram.SendUserMessage(chat, TelegramSiloFixture.Member, text);
                sent.Enqueue((id, text));
                await telegram.WaitUntilAsync(chat, m => m.Any(x => x.ReplyTo == id && x.Text == $"Echo: {text}"), $"the reply to '{text}'", TimeSpan.FromSeconds(120));
                Replied($"tg{chat}", started);
                await Task.Delay(100);
            }
        }

        private async Task HttpUserAsync(string session)
        {
            var sent = HttpSent.GetOrAdd(session, _ => new());
            var random = new Random(session.GetHashCode());
            for (var n = 1; !_stop.IsCancellationRequested; n++)
            {
                var text = $"http {session} #{n}";
                var started = Stopwatch.GetTimestamp();
                sent.Enqueue(text);
                var deadline = Stopwatch.StartNew();
                while (true)
                {
                    // Like a load balancer: any running silo; another one when it fails.
                    var silos = cluster.Running.ToList();
                    var silo = silos[random.Next(silos.Count)];
                    try
                    {
                        using var response = await silo.Http.PostAsJsonAsync($"/sessions/{session}/messages", new { text });
                        if (response.IsSuccessStatusCode)
                        {
                            var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("reply").GetString();
                            Assert.Equal($"Echo: {text}", reply);
                            break;
                        }

                        HttpRefusals.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                    catch (HttpRequestException)
                    {
                        // The silo died under the request.
                    }

                    Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120), $"'{text}' got no reply");
                    await Task.Delay(200);
                }

                Interlocked.Increment(ref _httpReplies);
                Replied(session, started);
                await Task.Delay(100);
            }
        }
    }
}
