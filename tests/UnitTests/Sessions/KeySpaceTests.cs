using Assistant.Sessions;
using Assistant.Telegram;

namespace Assistant.UnitTests.Sessions;

public sealed class KeySpaceTests
{
    private static readonly DateTimeOffset Then = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("api:demo", true)]
    [InlineData("api:", true)]
    [InlineData("tg:-100123", true)]
    [InlineData("tg:abc", false)]
    [InlineData("1001", false)]
    [InlineData("", false)]
    public void Only_the_two_key_spaces_are_session_keys(string key, bool valid) =>
        Assert.Equal(valid, SessionKey.Check(key) is null);

    [Fact]
    public void A_legacy_conversation_with_telegram_traces_and_a_chat_id_key_goes_to_tg()
    {
        var answered = new ChatSessionState { RecentUpdateIds = [5] };
        Assert.Equal("tg:1001", LegacySessionGrain.KeyFor("1001", answered, []));
        Assert.Equal("tg:-42", LegacySessionGrain.KeyFor("-42", new ChatSessionState { RefusedUsers = [7] }, []));
        var waiting = new TelegramInboxItem { Message = new TelegramIncoming(1, 1001, 1, 1001, null, false, TelegramContent.Text, "hi", null, Then) };
        Assert.Equal("tg:1001", LegacySessionGrain.KeyFor("1001", new ChatSessionState(), [waiting]));
    }

    [Fact]
    public void A_legacy_conversation_without_telegram_traces_goes_to_api_even_with_a_numeric_or_prefixed_key()
    {
        Assert.Equal("api:1001", LegacySessionGrain.KeyFor("1001", new ChatSessionState(), []));
        Assert.Equal("api:tg:5", LegacySessionGrain.KeyFor("tg:5", new ChatSessionState(), []));
        Assert.Equal("api:demo", LegacySessionGrain.KeyFor("demo", new ChatSessionState { RecentUpdateIds = [5] }, []));
    }

    [Fact]
    public void Answered_ids_of_an_older_store_settle_before_the_records_own_and_settle_their_waiting_message()
    {
        var record = new TelegramInboxState { Answered = [20] };
        record.Items.Add(new TelegramInboxItem { Message = Message(10) });
        record.Items.Add(new TelegramInboxItem { Message = Message(30) });

        Assert.True(record.SettleEarlier([10, 20]));
        Assert.False(record.SettleEarlier([10, 20]));

        Assert.Equal([10, 20], record.Answered);
        Assert.Equal([30], record.Items.Select(i => i.Message.UpdateId));
        Assert.True(record.Knows(10) && record.Knows(30) && !record.Knows(40));
    }

    [Fact]
    public void Settling_keeps_the_last_answered_ids_and_says_whether_it_was_new()
    {
        var record = new TelegramInboxState();
        record.Items.Add(new TelegramInboxItem { Message = Message(1) });
        Assert.True(record.Settle(1));
        Assert.False(record.Settle(1));
        Assert.Empty(record.Items);

        for (var id = 2; id <= TelegramInboxState.AnsweredLimit + 1; id++)
        {
            record.Settle(id);
        }

        Assert.Equal(TelegramInboxState.AnsweredLimit, record.Answered.Count);
        Assert.False(record.IsAnswered(1));
        Assert.True(record.IsAnswered(TelegramInboxState.AnsweredLimit + 1));
    }

    private static Assistant.Telegram.TelegramIncoming Message(long updateId) =>
        new(updateId, 1, (int)updateId, 1, "Ann", false, Assistant.Telegram.TelegramContent.Text, "hi", null, Then);

    [Fact]
    public void Adopting_puts_the_older_history_first_and_happens_once_per_old_key()
    {
        var window = new ContextWindow(100, 100_000);
        var current = new ChatSessionState();
        current.Messages.Add(ChatEntry.Create(ChatEntry.User, "new", Then.AddDays(1)));
        current.Statistics.MessagesReceived = 1;
        var older = new ChatSessionState { RecentUpdateIds = [10, 20], RefusedUsers = [9] };
        older.Messages.Add(ChatEntry.Create(ChatEntry.User, "old", Then));
        older.Statistics.CreatedAt = Then;
        older.Statistics.MessagesReceived = 3;

        Assert.True(current.Adopt("1001", older, window));
        Assert.False(current.Adopt("1001", older, window));

        Assert.Equal(["old", "new"], current.Messages.Select(m => m.Text));
        Assert.Empty(current.RecentUpdateIds); // the older ids go to the delivery record (SettleEarlier)
        Assert.Equal([9], current.RefusedUsers);
        Assert.Equal(4, current.Statistics.MessagesReceived);
        Assert.Equal(Then, current.Statistics.CreatedAt);
    }

    [Fact]
    public void Adopting_keeps_the_context_window()
    {
        var current = new ChatSessionState();
        current.Messages.Add(ChatEntry.Create(ChatEntry.User, "newest", Then.AddDays(1)));
        var older = new ChatSessionState();
        for (var i = 0; i < 6; i++)
        {
            older.Messages.Add(ChatEntry.Create(i % 2 == 0 ? ChatEntry.User : ChatEntry.Assistant, $"m{i}", Then));
        }

        current.Adopt("x", older, new ContextWindow(3, 100_000));
        Assert.Equal(["m4", "m5", "newest"], current.Messages.Select(m => m.Text));
    }
}
