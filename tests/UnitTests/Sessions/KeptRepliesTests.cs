using Assistant.Sessions;

namespace Assistant.UnitTests.Sessions;

public sealed class KeptRepliesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_kept_reply_is_found_for_a_day_and_not_after()
    {
        var state = new ChatSessionState();
        var reply = new ChatReply("four", 2, 10);
        KeptReplies.Keep(state, "k", KeptReplies.Fingerprint("2+2?"), reply, T0);

        Assert.Same(reply, KeptReplies.Find(state, "k", KeptReplies.Fingerprint(" 2+2? "), T0.AddHours(23.9)));
        Assert.Null(KeptReplies.Find(state, "k", KeptReplies.Fingerprint("2+2?"), T0.AddHours(24)));
        Assert.Null(KeptReplies.Find(state, "other", KeptReplies.Fingerprint("2+2?"), T0));
    }

    [Fact]
    public void The_same_key_for_another_message_is_refused()
    {
        var state = new ChatSessionState();
        KeptReplies.Keep(state, "k", KeptReplies.Fingerprint("2+2?"), new ChatReply("four", 2, 10), T0);

        Assert.Throws<IdempotencyKeyReusedException>(() => KeptReplies.Find(state, "k", KeptReplies.Fingerprint("3+3?"), T0));
    }

    [Fact]
    public void At_most_the_limit_is_kept_the_oldest_dropped_and_expired_ones_go_with_the_next_write()
    {
        var state = new ChatSessionState();
        for (var i = 0; i < KeptReplies.Limit + 20; i++)
        {
            KeptReplies.Keep(state, $"k{i}", "f", new ChatReply($"r{i}", 2, 1), T0.AddSeconds(i));
        }

        Assert.Equal(KeptReplies.Limit, state.KeptReplies.Count);
        Assert.Null(KeptReplies.Find(state, "k0", "f", T0.AddMinutes(5)));
        Assert.NotNull(KeptReplies.Find(state, $"k{KeptReplies.Limit + 19}", "f", T0.AddMinutes(5)));

        KeptReplies.Keep(state, "late", "f", new ChatReply("r", 2, 1), T0.AddDays(2));
        Assert.Equal(["late"], state.KeptReplies.Select(k => k.Key));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("ключ", false)]
    [InlineData("7c9e6679-7425-40de-944b-e07fc1f90ae7", true)]
    public void Keys_are_visible_ASCII_of_bounded_length(string key, bool valid)
    {
        Assert.Equal(valid, KeptReplies.Check(key) is null);
        Assert.NotNull(KeptReplies.Check(new string('a', KeptReplies.MaxKeyLength + 1)));
    }
}
