using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Assistant.Telegram;

namespace Assistant.IntegrationTests.Telegram;

/// <summary>The real Telegram.Bot client polling a fake Bot API; replies from a fake model.</summary>
public sealed class TelegramChannelTests(TelegramSiloFixture fixture) : IClassFixture<TelegramSiloFixture>, IDisposable
{
    private static long _nextChat = 5_000;
    private readonly long _chat = Interlocked.Increment(ref _nextChat);

    public void Dispose()
    {
        fixture.Model.Reset();
        fixture.Telegram.RejectEntities = false;
        fixture.Telegram.RejectEntitiesContaining = null;
        fixture.Telegram.TooManyRequestsForSends = 0;
        fixture.Telegram.ConflictOnGetUpdates = false;
        fixture.Telegram.HangGetUpdates = false;
    }

    [Fact]
    public async Task Status_shows_connected_with_the_bots_username_and_health_reflects_it()
    {
        using var status = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/telegram/status"));
        var root = status.RootElement;

        Assert.Equal("connected", root.GetProperty("state").GetString());
        Assert.Equal("polling", root.GetProperty("mode").GetString());
        Assert.Equal("test_assistant_bot", root.GetProperty("bot").GetProperty("username").GetString());
        Assert.Equal(700_000_001, root.GetProperty("bot").GetProperty("id").GetInt64());
        Assert.Equal("Test Assistant", root.GetProperty("bot").GetProperty("first_name").GetString());
        Assert.True(root.GetProperty("seconds_since_last_update").GetDouble() < 10);
        Assert.Equal(JsonValueKind.String, root.GetProperty("initialized_at").ValueKind);
        using var health = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/health"));
        Assert.Equal("connected", health.RootElement.GetProperty("telegram").GetString());
    }

    [Fact]
    public async Task A_message_gets_exactly_one_reply_streamed_by_sending_then_editing()
    {
        var answer = string.Join(' ', Enumerable.Range(1, 60).Select(i => $"word{i}"));
        fixture.Model.Enqueue(new FakeResponse.Text(answer, ChunkSize: 12));
        fixture.Model.ChunkDelay = TimeSpan.FromMilliseconds(60);

        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "tell me sixty words");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text == answer), "the whole reply");

        var reply = Assert.Single(fixture.Telegram.RepliesTo(_chat, asked));
        Assert.NotEmpty(reply.Edits); // it was streamed: sent early, then edited
        Assert.True(reply.Edits.Count < 20, "edits follow the cadence, not every chunk");
        Assert.Single(fixture.Telegram.BotMessages(_chat));
        Assert.Equal("tell me sixty words", fixture.Model.Requests.Single().LastUserText);
    }

    [Fact]
    public async Task A_reply_with_bold_code_a_table_and_6000_characters_arrives_as_valid_html_in_two_messages()
    {
        // What broke Telegram's legacy Markdown mode: **bold**, a_b*c, a table, headings; and a body over one message.
        var intro = "### Result\n\nThis is **bold**, snake_case stays as it is.\n\n" + string.Join("\n\n", Enumerable.Range(1, 34).Select(i => $"Paragraph {i}: " + new string('a', 90)));
        var code = "```csharp\n" + string.Join("\n", Enumerable.Range(1, 12).Select(i => $"var a_b{i} = x*y; // line {i} <T>")) + "\n```";
        var table = "| Name | Qty |\n|---|---|\n| apple | 3 |\n| kiwi_fruit | 12 |";
        var outro = string.Join("\n\n", Enumerable.Range(1, 17).Select(i => $"Closing {i}: " + new string('b', 90)));
        var answer = intro + "\n\n" + code + "\n\n" + table + "\n\n" + outro;
        Assert.InRange(answer.Length, 5_800, 6_800);
        fixture.Model.Enqueue(new FakeResponse.Text(answer, ChunkSize: 500));

        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "write a long answer");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Count == 2 && m.All(x => x.IsHtml), "two HTML messages");

        // The fake Bot API parses HTML as Telegram does: both messages were accepted, so both are valid.
        var messages = fixture.Telegram.BotMessages(_chat);
        Assert.Equal(asked, messages[0].ReplyTo);
        Assert.All(messages, m => Assert.InRange(m.Formatted.Length, 1, 4096));
        Assert.StartsWith("<b>Result</b>\n\nThis is <b>bold</b>, snake_case stays as it is.", messages[0].Formatted, StringComparison.Ordinal);
        var block = "<pre><code class=\"language-csharp\">" + string.Join("\n", Enumerable.Range(1, 12).Select(i => $"var a_b{i} = x*y; // line {i} &lt;T&gt;")) + "</code></pre>";
        Assert.Single(messages, m => m.Formatted.Contains(block, StringComparison.Ordinal)); // the code block whole, in one message
        Assert.Contains(messages, m => m.Formatted.Contains("<pre>Name       | Qty\n-----------+----\napple      | 3\nkiwi_fruit | 12</pre>", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Text.Contains("**", StringComparison.Ordinal) || m.Text.Contains("```", StringComparison.Ordinal));
        Assert.EndsWith("Closing 17: " + new string('b', 90), messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_with_retry_after_3_delays_the_reply_then_delivers_it()
    {
        fixture.Telegram.TooManyRequestsForSends = 1;
        fixture.Telegram.RetryAfterSeconds = 3;
        var before = fixture.Telegram.Calls.Count(c => c.Status == 429);

        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "hello despite limits");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text == "Echo: hello despite limits"), "the delayed reply");

        var sends = fixture.Telegram.Calls.Where(c => c.Method == "sendMessage" && c.ChatId == _chat).ToList();
        Assert.Equal(429, sends[0].Status);
        Assert.Equal(200, sends[1].Status);
        Assert.True(sends[1].At - sends[0].At >= TimeSpan.FromSeconds(2.9), $"waited {(sends[1].At - sends[0].At).TotalSeconds:0.00} s");
        Assert.DoesNotContain(fixture.Telegram.CallsInsideRetryWindows, c => c.ChatId == _chat); // nor a chat action or an edit meanwhile
        Assert.Single(fixture.Telegram.RepliesTo(_chat, asked));
        Assert.Equal(before + 1, fixture.Telegram.Calls.Count(c => c.Status == 429));
        using var status = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/telegram/status"));
        Assert.True(status.RootElement.GetProperty("too_many_requests").GetInt64() >= 1, status.RootElement.ToString());
    }

    [Fact]
    public async Task An_edit_refused_with_429_waits_out_retry_after_and_the_next_edits_come_at_twice_the_interval()
    {
        var answer = string.Join(' ', Enumerable.Range(1, 150).Select(i => $"word{i}"));
        fixture.Model.Enqueue(new FakeResponse.Text(answer, ChunkSize: 12));
        fixture.Model.ChunkDelay = TimeSpan.FromMilliseconds(60); // about 8 s of streaming
        fixture.Telegram.RateLimitCalls("editMessageText", 1, retryAfterSeconds: 2); // the first streamed update is refused

        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "a long one please");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text == answer), "the whole reply", TimeSpan.FromSeconds(60));

        var edits = fixture.Telegram.Calls.Where(c => c.Method == "editMessageText" && c.ChatId == _chat).ToList();
        Assert.Equal(429, edits[0].Status);
        Assert.DoesNotContain(fixture.Telegram.CallsInsideRetryWindows, c => c.ChatId == _chat); // no edit, message or chat action inside the 2 s
        var after = edits.Skip(1).Where(c => c.Status == 200).ToList();
        Assert.True(after.Count >= 2, $"{after.Count} edits after the 429");
        // Streaming:RateLimitedFactor (x2): updates no closer than twice the base interval of 1 s (the final text's edit is not paced).
        Assert.All(after.Zip(after.Skip(1)).SkipLast(1), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromSeconds(1.95), $"edits {(pair.Second.At - pair.First.At).TotalSeconds:0.00} s apart"));
        Assert.Single(fixture.Telegram.RepliesTo(_chat, asked));
    }

    [Fact]
    public async Task A_redelivered_update_gets_no_second_reply()
    {
        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "only once please");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked), "the first reply");

        fixture.Telegram.Redeliver(asked, _chat);
        // Messages of a chat are answered in order: once the next one is answered, a reply to the
        // redelivered update would already have been sent.
        var next = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "and this one");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == next), "the reply to the next message");

        Assert.Single(fixture.Telegram.RepliesTo(_chat, asked));
        Assert.Equal(2, fixture.Model.Requests.Count);
    }

    [Fact]
    public async Task When_Telegram_rejects_the_formatting_the_reply_arrives_as_plain_text()
    {
        fixture.Telegram.RejectEntities = true;
        fixture.Model.Enqueue(new FakeResponse.Text("Some *bold claim with an unclosed star"));

        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "format this");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text == "Some *bold claim with an unclosed star"), "the plain reply");

        var reply = Assert.Single(fixture.Telegram.RepliesTo(_chat, asked));
        Assert.Null(reply.ParseMode);
    }

    [Fact]
    public async Task A_part_Telegram_rejects_is_resent_as_plain_text_and_only_that_part()
    {
        fixture.Telegram.RejectEntitiesContaining = "REFUSED";
        var first = "**REFUSED** part: " + string.Join("\n\n", Enumerable.Range(1, 36).Select(i => $"line {i} " + new string('c', 100)));
        var second = "**accepted** part: " + string.Join("\n\n", Enumerable.Range(1, 10).Select(i => $"line {i} " + new string('d', 100)));
        Assert.InRange(first.Length, 3_900, 4_096); // the first message holds the first part alone
        fixture.Model.Enqueue(new FakeResponse.Text(first + "\n\n" + second, ChunkSize: 1000));

        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "two parts please");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Count == 2 && m[1].IsHtml, "both parts");

        var messages = fixture.Telegram.BotMessages(_chat);
        Assert.Null(messages[0].ParseMode);
        Assert.StartsWith("REFUSED part: line 1 ", messages[0].Text, StringComparison.Ordinal); // plain: no tags, no asterisks
        Assert.StartsWith("<b>accepted</b> part:", messages[1].Formatted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_start_help_reset_and_status_answer_as_documented()
    {
        var start = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "/start", firstName: "Zoe");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == start), "the welcome");
        Assert.StartsWith("Hi Zoe!", fixture.Telegram.RepliesTo(_chat, start)[0].Text);

        var question = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "remember the word banana");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == question), "the answer");
        var reset = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "/reset");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == reset), "the reset notice");
        Assert.Contains("new conversation", fixture.Telegram.RepliesTo(_chat, reset)[0].Text);
        var session = await fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(_chat)).GetAsync();
        Assert.Equal(0, session.MessageCount);

        var status = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "/status");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == status), "the refusal");
        Assert.Contains("administrators", fixture.Telegram.RepliesTo(_chat, status)[0].Text);

        var adminChat = _chat + 100_000;
        var adminStatus = fixture.Telegram.SendUserMessage(adminChat, TelegramSiloFixture.Admin, "/status");
        await fixture.Telegram.WaitUntilAsync(adminChat, m => m.Any(x => x.ReplyTo == adminStatus), "the status");
        Assert.Contains("Health score", fixture.Telegram.RepliesTo(adminChat, adminStatus)[0].Text);
    }

    [Theory]
    [InlineData("sticker", "can't read stickers")]
    [InlineData("video", "can't watch videos")]
    [InlineData("location", "can't use locations")]
    [InlineData("contact", "can't read this kind of message")]
    public async Task Stickers_videos_locations_and_the_rest_get_a_reply_saying_what_is_read(string kind, string words)
    {
        var sent = fixture.Telegram.SendUserMedia(_chat, TelegramSiloFixture.Member, kind);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the notice");
        var notice = Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text;
        Assert.Contains(words, notice, StringComparison.Ordinal);
        Assert.EndsWith(TelegramCommands.WhatIRead, notice, StringComparison.Ordinal);
        Assert.Empty(fixture.Model.Requests);
    }

    [Theory]
    [InlineData("photo", "photo")]
    [InlineData("voice", "recording")]
    public async Task A_photo_or_voice_note_Telegram_will_not_hand_out_gets_a_reply_and_counts_as_a_download_failure(string kind, string words)
    {
        var sent = fixture.Telegram.SendUserMedia(_chat, TelegramSiloFixture.Member, kind); // getFile answers 400 for its file id

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the notice");
        Assert.Contains($"I couldn't fetch your {words} from Telegram", Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text, StringComparison.Ordinal);
        Assert.Empty(fixture.Model.Requests);
        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(_chat));
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).Statistics.ErrorsByType.GetValueOrDefault("download_failed") == 1, "the download failure to be counted", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public async Task A_user_not_on_the_allowed_list_gets_one_polite_refusal_then_silence()
    {
        var first = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Stranger, "let me in");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == first), "the refusal");
        fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Stranger, "please?");
        var member = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "I am allowed");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == member), "the member's reply");

        var messages = fixture.Telegram.BotMessages(_chat);
        Assert.Equal(2, messages.Count);
        Assert.Contains("not on its list of allowed users", messages[0].Text);
        Assert.Equal("Echo: I am allowed", messages[1].Text);
        Assert.Single(fixture.Model.Requests);
    }

    [Fact]
    public async Task In_a_group_the_bot_answers_only_when_mentioned_or_replied_to()
    {
        var group = -(1_000_000_000_000 + _chat);
        fixture.Telegram.SendUserMessage(group, TelegramSiloFixture.Member, "just chatting among ourselves", group: true);
        var mention = fixture.Telegram.SendUserMessage(group, TelegramSiloFixture.Member, "@test_assistant_bot what is 2+2?", group: true);
        await fixture.Telegram.WaitUntilAsync(group, m => m.Any(x => x.ReplyTo == mention), "the answer to the mention");
        var botMessage = fixture.Telegram.RepliesTo(group, mention)[0].MessageId;
        var reply = fixture.Telegram.SendUserMessage(group, TelegramSiloFixture.Member, "and 3+3?", group: true, replyTo: botMessage);
        await fixture.Telegram.WaitUntilAsync(group, m => m.Any(x => x.ReplyTo == reply), "the answer to the reply");

        Assert.Equal(["what is 2+2?", "and 3+3?"], fixture.Model.Requests.Select(r => r.LastUserText));
        Assert.Equal(2, fixture.Telegram.BotMessages(group).Count);
    }

    [Fact]
    public async Task A_409_conflict_shows_as_disconnected_and_polling_recovers_when_it_clears()
    {
        var getUpdates = fixture.Telegram.Calls.Count(c => c.Method == "getUpdates");
        fixture.Telegram.ConflictOnGetUpdates = true;
        await fixture.Telegram.WaitForCallsAsync("getUpdates", getUpdates + 2);
        await WaitForStatusAsync(s => s.GetProperty("state").GetString() == "disconnected" && s.GetProperty("last_error").GetString()!.Contains("409"), "a 409 to show");

        fixture.Telegram.ConflictOnGetUpdates = false;
        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "back again?");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked), "the reply after the conflict", TimeSpan.FromSeconds(30));
        await WaitForStatusAsync(s => s.GetProperty("state").GetString() == "connected", "connected again");
    }

    [Fact]
    public async Task The_watchdog_restarts_a_stalled_poll_and_reports_it()
    {
        using var before = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/telegram/status"));
        var restarts = before.RootElement.GetProperty("stall_restarts").GetInt64();
        fixture.Telegram.HangGetUpdates = true;

        await WaitForStatusAsync(s => s.GetProperty("stall_restarts").GetInt64() > restarts, "a stall restart", TimeSpan.FromSeconds(30));
        fixture.Telegram.HangGetUpdates = false;
        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "still there?");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked), "the reply after the stall", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task In_maintenance_mode_a_new_user_is_told_politely_and_an_existing_one_is_answered()
    {
        var regular = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "hello before maintenance");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == regular), "the first reply");
        var mode = fixture.Silo.Grains.GetGrain<Assistant.Maintenance.IServiceModeGrain>(0);
        await mode.SetAsync(true, "Down for maintenance until 14:00, sorry!");
        try
        {
            var newcomerChat = _chat + 200_000;
            var newcomer = fixture.Telegram.SendUserMessage(newcomerChat, TelegramSiloFixture.Member, "hi, I'm new");
            var again = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "still there?");

            await fixture.Telegram.WaitUntilAsync(newcomerChat, m => m.Any(x => x.ReplyTo == newcomer), "the maintenance notice");
            await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == again), "the existing user's reply");
            Assert.Equal("Down for maintenance until 14:00, sorry!", fixture.Telegram.RepliesTo(newcomerChat, newcomer)[0].Text);
            Assert.Equal("Echo: still there?", fixture.Telegram.RepliesTo(_chat, again)[0].Text);
            Assert.DoesNotContain(fixture.Model.Requests, r => r.LastUserText == "hi, I'm new");
        }
        finally
        {
            await mode.SetAsync(false, null);
        }
    }

    [Fact]
    public async Task The_bot_token_never_reaches_the_log_files()
    {
        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "log something");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked), "the reply");

        var logs = Path.Combine(fixture.Silo.Directory, "logs");
        var files = Directory.GetFiles(logs);
        Assert.Contains(files, f => Path.GetFileName(f) == "telegram.log");
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var text = await new StreamReader(stream).ReadToEndAsync();
            Assert.DoesNotContain(TelegramSiloFixture.Token, text);
            Assert.DoesNotContain(TelegramSiloFixture.Token.Split(':')[1], text);
        }
    }

    private async Task WaitForStatusAsync(Func<JsonElement, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            using var status = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/telegram/status"));
            if (condition(status.RootElement))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}: {status.RootElement}");
            }

            await Task.Delay(100);
        }
    }

}
