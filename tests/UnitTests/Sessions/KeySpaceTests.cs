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
    public void Adopting_puts_the_older_history_first_and_happens_once_per_old_key()
    {
        var window = new ContextWindow(100, 100_000);
        var current = new ChatSessionState { RecentUpdateIds = [20] };
        current.Messages.Add(ChatEntry.Create(ChatEntry.User, "new", Then.AddDays(1)));
        current.Statistics.MessagesReceived = 1;
        var older = new ChatSessionState { RecentUpdateIds = [10, 20], RefusedUsers = [9] };
        older.Messages.Add(ChatEntry.Create(ChatEntry.User, "old", Then));
        older.Statistics.CreatedAt = Then;
        older.Statistics.MessagesReceived = 3;

        Assert.True(current.Adopt("1001", older, window));
        Assert.False(current.Adopt("1001", older, window));

        Assert.Equal(["old", "new"], current.Messages.Select(m => m.Text));
        Assert.Equal([10, 20], current.RecentUpdateIds);
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
