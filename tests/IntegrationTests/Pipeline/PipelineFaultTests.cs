using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Assistant.IntegrationTests.Pipeline;

/// <summary>
/// The conversation pipeline under the faults production brings, each scripted in the fake Bot
/// API or in the storage decorator, and judged by what the user sees in Telegram.
/// </summary>
public sealed class PipelineFaultTests(PipelineFaultFixture fixture, ITestOutputHelper output) : IClassFixture<PipelineFaultFixture>, IDisposable
{
    private const long User = TelegramSiloFixture.Member;
    private static long _nextChat = 70_000;
    private readonly long _chat = Interlocked.Increment(ref _nextChat);

    private string Key => SessionKey.Telegram(_chat);

    private Fakes.Telegram.FakeTelegramServer Telegram => fixture.Telegram;

    public void Dispose()
    {
        fixture.Model.Reset();
        fixture.Faults.Clear("conversation", Key);
        fixture.Faults.Clear("telegram_delivery", Key);
        Telegram.BlockedChats.Clear();
        Telegram.ResetAfterRecordingSends = 0;
        Telegram.TooManyRequestsForGetUpdates = 0;
        Telegram.TooManyRequestsForSends = 0;
    }

    [Fact]
    public async Task A_failed_state_write_is_a_failed_delivery_retried_until_the_message_is_answered_once()
    {
        fixture.Faults.FailWrites("telegram_delivery", Key, 1);
        fixture.Faults.FailWrites("conversation", Key, 1);

        var asked = Telegram.SendUserMessage(_chat, User, "are you there despite the disk?");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked), "the reply", TimeSpan.FromSeconds(30));
        await AssertProbesAnswerAsync();
        await AssertNoSecondReplyAsync(asked);

        Assert.Equal(1, fixture.Faults.Writes("telegram_delivery", Key, failed: true));
        Assert.Equal(1, fixture.Faults.Writes("conversation", Key, failed: true));
        Assert.Equal("Echo: are you there despite the disk?", Assert.Single(Telegram.RepliesTo(_chat, asked)).Text);
    }

    [Fact]
    public async Task An_answer_is_recorded_in_the_conversation_with_its_settling_or_not_at_all_and_the_retry_records_it_once()
    {
        var release = new TaskCompletionSource();
        fixture.Model.Enqueue(new FakeResponse.Held(release.Task, "the held answer"));
        var asked = Telegram.SendUserMessage(_chat, User, "record me once");
        await Eventually.WaitAsync(() => Task.FromResult(fixture.Model.Requests.Any(r => r.LastUserText == "record me once")), "the model to be asked", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(10));

        // The answer's transaction fails on the delivery record: the conversation's part must not stay.
        fixture.Faults.FailWrites("telegram_delivery", Key, 1);
        release.SetResult();
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text == "the held answer"), "the reply", TimeSpan.FromSeconds(30));
        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key);
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).TelegramPending == 0, "the answer to be recorded", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20));

        Assert.Equal(1, fixture.Faults.Writes("telegram_delivery", Key, failed: true));
        var messages = (await grain.GetAsync()).Messages;
        Assert.Single(messages, m => m.Text == "record me once");
        Assert.Single(messages, m => m.Text == "the held answer");
        Assert.Single(fixture.Model.Requests, r => r.LastUserText == "record me once");
        await AssertNoSecondReplyAsync(asked);
    }

    [Fact]
    public async Task Resume_while_the_acceptance_is_being_written_queues_the_message_once()
    {
        var inbox = fixture.Faults.HoldWrites("telegram_delivery", Key);
        var session = fixture.Faults.HoldWrites("conversation", Key); // where accepted messages were written before the inbox
        var asked = Telegram.SendUserMessage(_chat, User, "only one answer");
        await Eventually.WaitAsync(() => Task.FromResult(fixture.Faults.Writes("telegram_delivery", Key, false) + fixture.Faults.Writes("conversation", Key, false) >= 1), "the acceptance write", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(10));

        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key);
        await grain.ResumeAsync();
        fixture.Faults.Clear("telegram_delivery", Key);
        fixture.Faults.Clear("conversation", Key);
        inbox.TrySetResult();
        session.TrySetResult();

        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked), "the reply");
        await AssertNoSecondReplyAsync(asked);
        Assert.Single(Telegram.RepliesTo(_chat, asked));
        Assert.Single(fixture.Model.Requests, r => r.LastUserText == "only one answer");
    }

    [Fact]
    public async Task An_answer_that_keeps_failing_is_given_up_with_an_apology_and_a_dead_letter_and_the_chat_goes_on()
    {
        fixture.Faults.FailWrites("conversation", Key);

        var asked = Telegram.SendUserMessage(_chat, User, "this one cannot be saved");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text.Contains("give up", StringComparison.Ordinal)), "the apology", TimeSpan.FromSeconds(40));

        var letters = await DeadLettersAsync();
        var letter = letters.GetProperty("letters").EnumerateArray().Single(l => l.GetProperty("chat_id").GetInt64() == _chat);
        Assert.Equal("answer", letter.GetProperty("stage").GetString());
        Assert.Equal(3, letter.GetProperty("attempts").GetInt32());
        Assert.Contains("IOException", letter.GetProperty("failure").GetString());
        Assert.True(await StatusAsync(s => s.GetProperty("dead_letters").GetInt64()) >= 1);

        fixture.Faults.Clear("conversation", Key);
        var next = Telegram.SendUserMessage(_chat, User, "and now?");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == next && x.Text == "Echo: and now?"), "the next reply");
        Assert.Single(Telegram.RepliesTo(_chat, asked), m => m.Text.Contains("give up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_chat_whose_updates_cannot_be_stored_holds_up_no_other_and_the_poller_does_not_spin()
    {
        fixture.Faults.FailWrites("telegram_delivery", Key);
        var other = _chat + 500_000;
        var polls = Telegram.Calls.Count(c => c.Method == "getUpdates");
        var stopwatch = Stopwatch.StartNew();

        var stuck = Telegram.SendUserMessage(_chat, User, "my session's storage is broken");
        var fine = Telegram.SendUserMessage(other, User, "mine is fine");
        await Telegram.WaitUntilAsync(other, m => m.Any(x => x.ReplyTo == fine), "the other chat's reply", TimeSpan.FromSeconds(10));
        await AssertProbesAnswerAsync();

        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.Text.Contains("give up", StringComparison.Ordinal)), "the apology", TimeSpan.FromSeconds(40));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var pollsMeanwhile = Telegram.Calls.Count(c => c.Method == "getUpdates") - polls;
        Assert.True(pollsMeanwhile < (seconds * 4) + 10, $"{pollsMeanwhile} getUpdates in {seconds:0.0} s: the poller spins");
        var letter = (await DeadLettersAsync()).GetProperty("letters").EnumerateArray().Single(l => l.GetProperty("chat_id").GetInt64() == _chat);
        Assert.Equal("delivery", letter.GetProperty("stage").GetString());
        Assert.Equal("my session's storage is broken", letter.GetProperty("text").GetString());
        Assert.Contains("give up", Assert.Single(Telegram.RepliesTo(_chat, stuck)).Text);
        Assert.Equal(0, await StatusAsync(s => s.GetProperty("parked_updates").GetInt32()));

        fixture.Faults.Clear("telegram_delivery", Key);
        var again = Telegram.SendUserMessage(_chat, User, "fixed now?");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == again && x.Text == "Echo: fixed now?"), "the reply once storage works");
    }

    [Fact]
    public async Task A_chats_later_updates_wait_behind_its_parked_one_and_are_answered_in_order_with_backoff_between_attempts()
    {
        fixture.Faults.FailWrites("telegram_delivery", Key, count: 2); // the first update is refused twice, then stored
        var first = Telegram.SendUserMessage(_chat, User, "first");
        await fixture.Faults.WaitForWriteAsync("telegram_delivery", Key, 1, TimeSpan.FromSeconds(10));
        var second = Telegram.SendUserMessage(_chat, User, "second");
        var third = Telegram.SendUserMessage(_chat, User, "third");

        await Telegram.WaitUntilAsync(_chat, m => new[] { first, second, third }.All(a => m.Any(x => x.ReplyTo == a)), "the three replies", TimeSpan.FromSeconds(30));

        // In order, each once, each the answer asked for.
        var replies = Telegram.BotMessages(_chat).ToList();
        Assert.Equal(["Echo: first", "Echo: second", "Echo: third"], replies.Select(m => m.Text));
        Assert.Equal([first, second, third], replies.Select(m => m.ReplyTo));
        Assert.Equal(["first", "second", "third"], fixture.Model.Requests.Select(r => r.LastUserText));

        // The parked update was tried again with backoff (about 1 s, then 2 s, jittered down to half), not in a loop.
        var attempts = fixture.Faults.WriteTimes("telegram_delivery", Key);
        Assert.True(attempts.Count >= 3, $"{attempts.Count} writes");
        Assert.True(attempts[1] - attempts[0] >= TimeSpan.FromSeconds(0.45), $"first retry after {(attempts[1] - attempts[0]).TotalSeconds:0.00} s");
        Assert.True(attempts[2] - attempts[1] >= TimeSpan.FromSeconds(0.95), $"second retry after {(attempts[2] - attempts[1]).TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task An_HTTP_exchange_whose_write_fails_is_recorded_not_at_all_and_can_be_sent_again()
    {
        const string session = "all-or-nothing";
        var key = SessionKey.Api(session);
        await fixture.Silo.Http.SendAsync(session, "before");
        fixture.Faults.FailWrites("conversation", key, count: 1);

        using (var failed = await fixture.Silo.Http.PostRawAsync($"/sessions/{session}/messages", """{"text":"lost in the write"}"""))
        {
            Assert.False(failed.IsSuccessStatusCode, $"a reply whose exchange was not stored answered {(int)failed.StatusCode}");
        }

        var view = await fixture.Silo.Http.GetSessionAsync(session);
        Assert.Equal(["before", "Echo: before"], SessionClient.Texts(view)); // neither the question nor the answer
        Assert.Equal("Echo: sent again", (await fixture.Silo.Http.SendAsync(session, "sent again")).GetProperty("reply").GetString());
        Assert.Equal(["before", "Echo: before", "sent again", "Echo: sent again"], SessionClient.Texts(await fixture.Silo.Http.GetSessionAsync(session)));
        fixture.Faults.Clear("conversation", key);
    }

    [Fact]
    public async Task A_429_on_getUpdates_is_waited_out_as_retry_after_says()
    {
        Telegram.RetryAfterSeconds = 3;
        var before = Telegram.Calls.Count;
        Telegram.TooManyRequestsForGetUpdates = 1;
        await Eventually.WaitAsync(() => Task.FromResult(Telegram.Calls.Skip(before).Count(c => c.Method == "getUpdates" && c.Status == 429) == 1), "the 429", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        var asked = Telegram.SendUserMessage(_chat, User, "after the limit");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked), "the reply after the 429", TimeSpan.FromSeconds(20));
        var calls = Telegram.Calls.Skip(before).Where(c => c.Method == "getUpdates").ToList();
        var limited = calls.FindIndex(c => c.Status == 429);
        Assert.True(calls[limited + 1].At - calls[limited].At >= TimeSpan.FromSeconds(2.9), $"next getUpdates after {(calls[limited + 1].At - calls[limited].At).TotalSeconds:0.00} s");
        Assert.DoesNotContain(Telegram.CallsInsideRetryWindows, c => c.Method == "getUpdates");
    }

    [Fact]
    public async Task When_update_ids_start_again_lower_the_offset_is_resynced_and_the_bot_answers()
    {
        var first = Telegram.SendUserMessage(_chat, User, "before the restart");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == first), "the first reply");

        Telegram.RestartUpdateIds(50);
        var asked = Telegram.SendUserMessage(_chat, User, "after a week away");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text == "Echo: after a week away"), "the reply after the re-sync", TimeSpan.FromSeconds(30));
        Assert.Contains("re-syncing the offset", await LogAsync());
    }

    [Fact]
    public async Task The_recovery_sweep_clears_stale_marks_and_goes_past_a_session_that_hangs()
    {
        var directory = fixture.Silo.Services.GetRequiredService<SessionDirectory>();
        var hanging = SessionKey.Telegram(_chat + 500_000);
        var stale = SessionKey.Telegram(_chat + 600_000);
        var gate = fixture.Faults.HoldReads("conversation", hanging); // its activation never finishes loading
        try
        {
            // Marks with no message behind them, as builds that wrote the mark apart from the delivery record could leave.
            await SetMarkAsync(hanging, DateTimeOffset.UtcNow.AddMinutes(-10));
            await SetMarkAsync(stale, DateTimeOffset.UtcNow.AddMinutes(-5));

            await Eventually.WaitAsync(async () => !(await directory.FindPendingAsync(DateTimeOffset.UtcNow, 1000)).Contains(stale), "the stale mark to be cleared", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
            Assert.Contains(hanging, await directory.FindPendingAsync(DateTimeOffset.UtcNow, 1000));
        }
        finally
        {
            fixture.Faults.Clear("conversation", hanging);
            gate.TrySetResult();
            await SetMarkAsync(hanging, null);
        }
    }

    private async Task SetMarkAsync(string sessionId, DateTimeOffset? since)
    {
        await using var connection = await fixture.Silo.Services.GetRequiredService<Assistant.Storage.Database>().OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await SessionDirectory.SetPendingAsync(connection, transaction, sessionId, since);
        await transaction.CommitAsync();
    }

    [Fact]
    public async Task A_message_stored_by_another_activation_of_the_session_is_answered_not_unmarked()
    {
        // While a silo is being lost, two activations of one session can live for a moment. This
        // one read its state before the other accepted a message; the other's silo then dies. The
        // sweep asks this one, which must not clear the mark on the strength of what it read.
        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key);
        Assert.Equal(0, (await grain.GetAsync()).TelegramPending);

        var storage = fixture.Silo.Services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>("Default");
        var id = GrainId.Create("session", Key);
        var inbox = new GrainState<TelegramInboxState>(new TelegramInboxState());
        await storage.ReadStateAsync("telegram_delivery", id, inbox);
        var accepted = DateTimeOffset.UtcNow.AddSeconds(-30);
        inbox.State!.Items.Add(new TelegramInboxItem
        {
            Message = new Assistant.Telegram.TelegramIncoming(_chat * 10, _chat, 4242, User, "Ann", false, Assistant.Telegram.TelegramContent.Text, "accepted elsewhere", null, accepted),
            AcceptedAt = accepted,
        });
        await storage.WriteStateAsync("telegram_delivery", id, inbox); // and with it the mark the sweep finds the chat by

        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == 4242), "the answer to the message the other activation accepted", TimeSpan.FromSeconds(30));
        Assert.Equal("Echo: accepted elsewhere", Assert.Single(Telegram.RepliesTo(_chat, 4242)).Text);
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).TelegramPending == 0, "the answer to be recorded", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        Assert.Contains("accepted elsewhere", (await grain.GetAsync()).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task Answered_ids_an_older_build_kept_in_the_conversation_move_to_the_delivery_record_and_nothing_is_answered_again()
    {
        // What a build before the delivery record left: the answer recorded with its update id in
        // the conversation, and the message still in the inbox (it left with the next acceptance),
        // with the chat's recovery mark.
        var storage = fixture.Silo.Services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>("Default");
        var id = GrainId.Create("session", Key);
        var accepted = DateTimeOffset.UtcNow.AddMinutes(-5);
        var message = new Assistant.Telegram.TelegramIncoming(_chat * 10 + 1, _chat, 5151, User, "Ann", false, Assistant.Telegram.TelegramContent.Text, "answered long ago", null, accepted);
        var conversation = new GrainState<ChatSessionState>(new ChatSessionState { RecentUpdateIds = [message.UpdateId] });
        conversation.State!.Messages.Add(ChatEntry.Create(ChatEntry.User, message.Text!, accepted));
        conversation.State!.Messages.Add(ChatEntry.Create(ChatEntry.Assistant, "Echo: answered long ago", accepted));
        await storage.WriteStateAsync("conversation", id, conversation);
        var inbox = new GrainState<TelegramInboxState>(new TelegramInboxState());
        inbox.State!.Items.Add(new TelegramInboxItem { Message = message, AcceptedAt = accepted });
        await storage.WriteStateAsync("telegram_delivery", id, inbox);

        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key);
        Assert.Equal(0, (await grain.GetAsync()).TelegramPending);
        Assert.Equal(Assistant.Telegram.DeliveryOutcome.Duplicate, await grain.DeliverAsync(message));
        var directory = fixture.Silo.Services.GetRequiredService<SessionDirectory>();
        Assert.DoesNotContain(Key, await directory.FindPendingAsync(DateTimeOffset.UtcNow, 1000));

        var next = Telegram.SendUserMessage(_chat, User, "a new question");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == next), "the reply to the new question", TimeSpan.FromSeconds(30));
        Assert.Empty(Telegram.RepliesTo(_chat, 5151));
        Assert.Single((await grain.GetAsync()).Messages, m => m.Text == "answered long ago");
    }

    [Fact]
    public async Task When_the_user_deletes_the_message_being_edited_the_reply_continues_in_a_new_one()
    {
        var answer = string.Join(' ', Enumerable.Range(1, 60).Select(i => $"word{i}"));
        fixture.Model.Enqueue(new FakeResponse.Text(answer, ChunkSize: 10));
        fixture.Model.ChunkDelay = TimeSpan.FromMilliseconds(50);

        var asked = Telegram.SendUserMessage(_chat, User, "a long one please");
        await Telegram.WaitUntilAsync(_chat, m => m.Count == 1, "the preview");
        Telegram.DeleteBotMessage(_chat, Telegram.BotMessages(_chat)[0].MessageId);

        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.Text == answer), "the whole reply in a new message", TimeSpan.FromSeconds(30));
        Assert.Single(Telegram.BotMessages(_chat), m => m.Text == answer);
    }

    [Fact]
    public async Task A_user_who_blocked_the_bot_gets_nothing_more_and_is_answered_again_after_writing()
    {
        Telegram.BlockedChats[_chat] = true;
        fixture.Model.Delay = TimeSpan.FromMilliseconds(1000);
        Telegram.SendUserMessage(_chat, User, "one");
        Telegram.SendUserMessage(_chat, User, "two");
        Telegram.SendUserMessage(_chat, User, "three");
        await Eventually.WaitAsync(async () => (await fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key).GetAsync()).TelegramPending == 3, "the three messages to be stored", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20));
        await Eventually.WaitAsync(() => Task.FromResult(Telegram.Calls.Any(c => c.ChatId == _chat && c.Status == 403)), "the 403", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20));
        await Eventually.WaitAsync(async () => (await fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key).GetAsync()).TelegramPending == 0, "the queue to be dropped", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));

        Assert.Single(Telegram.Calls, c => c.ChatId == _chat && c.Status == 403);
        // Only "one" was answered (the model client may have retried that one request): the rest were dropped.
        Assert.Equal(["one"], fixture.Model.Requests.Select(r => r.LastUserText).Where(t => t is "one" or "two" or "three").Distinct());
        Assert.Single((await LogAsync()).Split('\n'), l => l.Contains($"Session {Key}: chat unreachable", StringComparison.Ordinal));

        Telegram.BlockedChats.Clear();
        var back = Telegram.SendUserMessage(_chat, User, "unblocked you");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == back && x.Text == "Echo: unblocked you"), "the reply after unblocking");
    }

    [Fact]
    public async Task A_connection_reset_after_the_message_was_created_resends_it_at_most_once()
    {
        Telegram.ResetAfterRecordingSends = 3;

        var asked = Telegram.SendUserMessage(_chat, User, "flaky line");
        // A reply first, then nothing pending: read the other way round, a pending count taken before
        // the update arrived could pair with the first copy and stop the wait before the resend.
        await Eventually.WaitAsync(async () => Telegram.RepliesTo(_chat, asked).Count > 0 && (await fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key).GetAsync()).TelegramPending == 0, "the reply to be settled", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        Telegram.ResetAfterRecordingSends = 0;

        // The documented window: one resend after a failure that came after the request was written.
        Assert.Equal(2, Telegram.RepliesTo(_chat, asked).Count(m => m.Text == "Echo: flaky line"));
        var next = Telegram.SendUserMessage(_chat, User, "still usable?");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == next), "the next reply");
        Assert.Single(Telegram.RepliesTo(_chat, next));
    }

    [Fact]
    public async Task A_long_retry_after_holds_up_no_other_chat_and_cancel_stops_the_wait()
    {
        Telegram.RateLimitChat(_chat, sends: 1, retryAfterSeconds: 600);
        var waiting = Telegram.SendUserMessage(_chat, User, "this one waits ten minutes");
        await Eventually.WaitAsync(() => Task.FromResult(Telegram.Calls.Any(c => c.ChatId == _chat && c.Status == 429)), "the 429", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20));

        var other = _chat + 500_000;
        var fine = Telegram.SendUserMessage(other, User, "not me");
        await Telegram.WaitUntilAsync(other, m => m.Any(x => x.ReplyTo == fine), "the other chat's reply", TimeSpan.FromSeconds(30));

        // Answered while the first chat still waits out its ten minutes: it did not queue behind it.
        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key);
        Assert.True((await grain.GetAsync()).Replying);
        Assert.Empty(Telegram.RepliesTo(_chat, waiting));
        Telegram.SendUserMessage(_chat, User, "/cancel");
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).Statistics.Cancelled == 1, "the wait to be cancelled", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.DoesNotContain(Telegram.CallsInsideRetryWindows, c => c.ChatId == _chat); // the cancel's notice waits for the window too
    }

    [Fact]
    public async Task A_cancel_storm_during_a_long_retry_after_stays_within_the_queue_limit()
    {
        Telegram.RateLimitChat(_chat, sends: 1, retryAfterSeconds: 600);
        Telegram.SendUserMessage(_chat, User, "this one waits ten minutes");
        await Eventually.WaitAsync(() => Task.FromResult(Telegram.Calls.Any(c => c.ChatId == _chat && c.Status == 429)), "the 429", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20));

        foreach (var _ in Enumerable.Range(0, 4 * PipelineFaultFixture.MaxQueued))
        {
            Telegram.SendUserMessage(_chat, User, "/cancel");
        }

        await Telegram.WaitUntilConfirmedAsync(TimeSpan.FromSeconds(30)); // every /cancel accepted
        var view = await fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key).GetAsync();
        Assert.Equal(1, view.Statistics.Cancelled);
        Assert.InRange(view.TelegramPending, 1, PipelineFaultFixture.MaxQueued + 1);
        Assert.DoesNotContain(Telegram.CallsInsideRetryWindows, c => c.ChatId == _chat);
    }

    [Fact]
    public async Task Messages_beyond_the_queue_limit_get_one_notice_per_burst_and_are_counted()
    {
        fixture.Model.Delay = TimeSpan.FromMilliseconds(2000);
        var overflowBefore = await StatusAsync(s => s.GetProperty("overflowed").GetInt64());
        var first = Telegram.SendUserMessage(_chat, User, "m1");
        await fixture.Model.WaitForRequestsAsync(1);
        var queued = Enumerable.Range(2, PipelineFaultFixture.MaxQueued).Select(i => Telegram.SendUserMessage(_chat, User, $"m{i}")).ToList();
        await Eventually.WaitAsync(async () => (await fixture.Silo.Grains.GetGrain<IChatSessionGrain>(Key).GetAsync()).Queued == PipelineFaultFixture.MaxQueued, "the queue to fill", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        var extra = Enumerable.Range(0, 3).Select(i => Telegram.SendUserMessage(_chat, User, $"extra{i}")).ToList();

        await Telegram.WaitUntilAsync(_chat, m => queued.All(q => m.Any(x => x.ReplyTo == q)), "the queued replies", TimeSpan.FromSeconds(40));
        Assert.Single(Telegram.RepliesTo(_chat, first));
        var notice = Assert.Single(Telegram.RepliesTo(_chat, extra[0]));
        Assert.Contains("still working on your earlier messages", notice.Text);
        Assert.Empty(Telegram.RepliesTo(_chat, extra[1]));
        Assert.Empty(Telegram.RepliesTo(_chat, extra[2]));
        Assert.DoesNotContain(fixture.Model.Requests, r => r.LastUserText.StartsWith("extra", StringComparison.Ordinal));
        Assert.Equal(overflowBefore + 3, await StatusAsync(s => s.GetProperty("overflowed").GetInt64()));
    }

    [Fact]
    public async Task A_photo_download_that_fails_with_a_5xx_is_retried_and_answered_once_and_one_that_keeps_failing_is_a_dead_letter()
    {
        // Telegram's file server answers 502 once: the answer is attempted again and the photo read then.
        Telegram.FailCalls("file", 1, 502);
        var (passing, _) = Telegram.SendUserPhoto(_chat, User, [Photo(2_000)], caption: "what is this?");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == passing), "the answer after the retried download", TimeSpan.FromSeconds(30));
        Assert.Equal("Echo: what is this?", Assert.Single(Telegram.RepliesTo(_chat, passing)).Text);
        Assert.Equal([502, 200], Telegram.Calls.Where(c => c.Method == "file").TakeLast(2).Select(c => c.Status));

        // It keeps failing: after Telegram:MaxDeliveryAttempts (3 here) the user is told, and the message is a dead letter.
        Telegram.FailCalls("file", 100, 502);
        var (failing, _) = Telegram.SendUserPhoto(_chat, User, [Photo(2_000)], caption: "and this?");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == failing), "the apology", TimeSpan.FromSeconds(40));
        Telegram.FailCalls("file", 0);
        Assert.Contains("give up", Assert.Single(Telegram.RepliesTo(_chat, failing)).Text, StringComparison.Ordinal);
        var letter = (await DeadLettersAsync()).GetProperty("letters").EnumerateArray().Single(l => l.GetProperty("chat_id").GetInt64() == _chat);
        Assert.Equal("answer", letter.GetProperty("stage").GetString());
        Assert.Equal(3, letter.GetProperty("attempts").GetInt32());
        Assert.DoesNotContain(fixture.Model.Requests, r => r.LastUserText == "and this?"); // the model was not asked without the photo
    }

    /// <summary>Bytes that start as a JPEG does.</summary>
    private static byte[] Photo(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        (bytes[0], bytes[1], bytes[2]) = (0xFF, 0xD8, 0xFF);
        return bytes;
    }

    [Fact]
    public async Task A_429_storm_across_chats_delays_replies_and_loses_or_doubles_none()
    {
        // Each of the ten chats has its first two sends refused: a storm that only these chats can
        // meet (a bot-wide count of refusals could be met by a late send of an earlier test in this
        // shared silo, and the storm then hit these chats less; seen in CI).
        var sent = Enumerable.Range(0, 10).Select(i => (Chat: _chat + (1_000 * (i + 1)), Message: 0)).ToList();
        foreach (var (chat, _) in sent)
        {
            Telegram.RateLimitChat(chat, sends: 2, retryAfterSeconds: 2);
        }

        sent = [.. sent.Select(s => (s.Chat, Telegram.SendUserMessage(s.Chat, User, $"storm {s.Chat}")))];

        foreach (var (chat, message) in sent)
        {
            await Telegram.WaitUntilAsync(chat, m => m.Any(x => x.ReplyTo == message), "the reply after the storm", TimeSpan.FromSeconds(60));
        }

        var duplicated = sent.Sum(s => Telegram.RepliesTo(s.Chat, s.Message).Count - 1);
        Assert.Equal(20, Telegram.Calls.Count(c => c.Method == "sendMessage" && c.Status == 429 && sent.Any(s => s.Chat == c.ChatId))); // every refusal met, by these chats
        output.WriteLine($"429 storm (20 sends refused, retry_after 2 s): {sent.Count} messages sent, lost 0, duplicated {duplicated}.");
        Assert.Equal(0, duplicated);
        Assert.All(sent, s => Assert.Equal($"Echo: storm {s.Chat}", Assert.Single(Telegram.RepliesTo(s.Chat, s.Message)).Text)); // the answer each asked for, not an apology
        Assert.DoesNotContain(Telegram.CallsInsideRetryWindows, c => sent.Any(s => s.Chat == c.ChatId));
    }

    /// <summary>Messages of a chat are answered in order: once the next one is answered, a second reply to the first would already have been sent.</summary>
    private async Task AssertNoSecondReplyAsync(int asked)
    {
        var next = Telegram.SendUserMessage(_chat, User, "next in line");
        await Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == next), "the reply to the next message", TimeSpan.FromSeconds(30));
        Assert.Single(Telegram.RepliesTo(_chat, asked));
    }

    private async Task AssertProbesAnswerAsync()
    {
        // A probe whose grain call hangs answers 503 once Health:TimeoutSeconds has passed (HealthTests):
        // a 200 is the proof that nothing it asks waits behind the stuck chat, on no wall clock.
        foreach (var probe in new[] { "/health", "/resources/status" })
        {
            using var response = await fixture.Silo.Http.GetAsync(probe);
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{probe} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<T> StatusAsync<T>(Func<JsonElement, T> read)
    {
        using var status = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/telegram/status"));
        return read(status.RootElement);
    }

    private async Task<JsonElement> DeadLettersAsync()
    {
        using var document = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/telegram/dead-letters"));
        return document.RootElement.Clone();
    }

    private async Task<string> LogAsync()
    {
        var path = Path.Combine(fixture.Silo.Directory, "logs", "system.log");
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return await new StreamReader(stream).ReadToEndAsync();
    }
}
