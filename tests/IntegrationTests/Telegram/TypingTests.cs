using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Telegram;

/// <summary>
/// "typing…" and the waits of a reply, on a clock only the test moves (<see cref="ClockedTelegramFixture"/>):
/// the clock moves once the service has set the wait the test means, and the fake Bot API stamps each
/// call with it, so the intervals asserted are exact and a loaded machine cannot make them fail.
/// </summary>
public sealed class TypingTests(ClockedTelegramFixture fixture) : IClassFixture<ClockedTelegramFixture>, IDisposable
{
    private static readonly TimeSpan Grace = Assistant.Telegram.TelegramReplyWriter.TypingGrace;
    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(2);
    private static long _nextChat = 9_000;
    private readonly long _chat = Interlocked.Increment(ref _nextChat);

    public void Dispose()
    {
        fixture.Model.Reset();
        fixture.Telegram.HoldChatActions = null;
    }

    [Fact]
    public async Task Typing_shows_after_the_grace_is_renewed_every_four_seconds_while_the_model_thinks_and_stops_with_the_reply()
    {
        var release = new TaskCompletionSource();
        fixture.Model.Enqueue(new FakeResponse.Held(release.Task, "thought it over"));
        var mark = fixture.Clock.Mark;
        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "think hard");

        await fixture.Clock.WaitForTimerAsync(Grace, mark, "the grace before typing");
        var start = fixture.Clock.GetUtcNow();
        fixture.Clock.Advance(Grace);
        await fixture.Telegram.WaitForCallsAsync(IsTyping, 1, "typing shown", null);

        // Telegram shows a chat action for 5 s: each renewal is set 4 s after the one before, and
        // goes when the clock reaches it, not a tick sooner.
        for (var renewals = 1; renewals <= 2; renewals++)
        {
            await fixture.Clock.WaitForTimerAsync(Renewal, mark, "the renewal", renewals);
            fixture.Clock.Advance(Renewal - TimeSpan.FromMilliseconds(1));
            Assert.Equal(renewals, Typing().Count);
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
            await fixture.Telegram.WaitForCallsAsync(IsTyping, renewals + 1, "typing renewed", null);
        }

        Assert.Equal([start + Grace, start + Grace + Renewal, start + Grace + (2 * Renewal)], Typing());
        Assert.Empty(fixture.Telegram.BotMessages(_chat));
        await fixture.Clock.WaitForTimerAsync(Renewal, mark, "the next renewal", 3);

        release.SetResult();
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text == "thought it over"), "the reply");

        // The renewal set before the reply is called off, not left to fire.
        await fixture.Clock.WaitUntilNonePendingAsync(Renewal, "the renewal called off by the reply");
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        var next = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "and now?");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == next), "the next reply");
        Assert.Equal(3, Typing().Count);
    }

    [Fact]
    public async Task A_reply_ready_while_typing_is_being_sent_waits_for_it_so_typing_never_shows_under_the_answer()
    {
        var (model, action) = (new TaskCompletionSource(), new TaskCompletionSource());
        fixture.Model.Enqueue(new FakeResponse.Held(model.Task, "ready now"));
        fixture.Telegram.HoldChatActions = action.Task;
        var mark = fixture.Clock.Mark;
        var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "quick one");
        await fixture.Clock.WaitForTimerAsync(Grace, mark, "the grace before typing");
        fixture.Clock.Advance(Grace);
        await Eventually.WaitAsync(() => Task.FromResult(fixture.Telegram.HeldChatActions == 1), "typing under way", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20));

        // The reply is ready while Telegram has not answered the chat action: it waits for it.
        model.SetResult();
        await fixture.Clock.WaitForTimerAsync(SettleLimit, mark, "the reply waiting for the chat action");
        Assert.Empty(fixture.Telegram.BotMessages(_chat));

        action.SetResult();
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text == "ready now"), "the reply");
        var calls = fixture.Telegram.Calls.Where(c => c.ChatId == _chat && c.Method is "sendChatAction" or "sendMessage").Select(c => c.Method).ToList();
        Assert.Equal(["sendChatAction", "sendMessage"], calls);
    }

    [Fact]
    public async Task A_chat_action_that_hangs_holds_the_reply_two_seconds_at_most()
    {
        var (model, action) = (new TaskCompletionSource(), new TaskCompletionSource());
        fixture.Model.Enqueue(new FakeResponse.Held(model.Task, "answered anyway"));
        fixture.Telegram.HoldChatActions = action.Task; // Telegram never answers "typing…"
        try
        {
            var mark = fixture.Clock.Mark;
            var asked = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "slow one");
            await fixture.Clock.WaitForTimerAsync(Grace, mark, "the grace before typing");
            fixture.Clock.Advance(Grace);
            await Eventually.WaitAsync(() => Task.FromResult(fixture.Telegram.HeldChatActions == 1), "typing under way", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20));

            model.SetResult();
            await fixture.Clock.WaitForTimerAsync(SettleLimit, mark, "the reply waiting for the chat action");
            var waiting = fixture.Clock.GetUtcNow();
            fixture.Clock.Advance(SettleLimit - TimeSpan.FromMilliseconds(1));
            Assert.Empty(fixture.Telegram.BotMessages(_chat));
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));

            await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == asked && x.Text == "answered anyway"), "the reply");
            var sent = fixture.Telegram.Calls.Single(c => c.ChatId == _chat && c.Method == "sendMessage");
            Assert.Equal(waiting + SettleLimit, sent.At);
            Assert.Equal(1, fixture.Telegram.HeldChatActions); // the action still hung when the reply went
        }
        finally
        {
            action.TrySetResult();
        }
    }

    private bool IsTyping(Assistant.Fakes.Telegram.FakeCall call) => call.Method == "sendChatAction" && call.ChatId == _chat && call.Status == 200;

    private List<DateTimeOffset> Typing() => fixture.Telegram.Calls.Where(IsTyping).Select(c => c.At).ToList();
}
