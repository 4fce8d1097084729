using Assistant.Sessions;

namespace Assistant.UnitTests.Sessions;

public sealed class TokenEstimatorTests
{
    [Theory]
    [InlineData("", 4)]
    [InlineData("a", 5)]
    [InlineData("abcd", 5)]
    [InlineData("abcde", 6)]
    public void About_four_characters_a_token_plus_message_framing(string text, int expected) =>
        Assert.Equal(expected, TokenEstimator.Estimate(text));

    [Fact]
    public void A_16000_character_message_is_about_4000_tokens() => Assert.Equal(4004, TokenEstimator.Estimate(new string('z', 16_000)));
}
