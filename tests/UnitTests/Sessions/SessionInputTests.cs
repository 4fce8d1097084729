using Assistant.Api.Sessions;
using Assistant.Sessions;

namespace Assistant.UnitTests.Sessions;

public sealed class SessionInputTests
{
    private static readonly ChatSessionOptions Options = new();

    [Theory]
    [InlineData("chat-42")]
    [InlineData("-1001234567890")]
    [InlineData("émoji 🙂 ok")]
    public void Ordinary_ids_pass(string id) => Assert.Null(SessionInput.CheckId(id, Options));

    [Fact]
    public void Ids_over_128_characters_control_characters_and_blanks_are_refused()
    {
        Assert.Null(SessionInput.CheckId(new string('a', 128), Options));
        Assert.Contains("129 characters", SessionInput.CheckId(new string('a', 129), Options));
        Assert.NotNull(SessionInput.CheckId("tab\there", Options));
        Assert.NotNull(SessionInput.CheckId("   ", Options));
    }

    [Fact]
    public void Text_must_be_present_not_blank_and_within_the_limit()
    {
        Assert.NotNull(SessionInput.CheckText(null, Options));
        Assert.NotNull(SessionInput.CheckText(" \n ", Options));
        Assert.Null(SessionInput.CheckText(new string('x', 16_000), Options));
        Assert.Contains("Sessions:MaxMessageChars", SessionInput.CheckText(new string('x', 16_001), Options));
    }
}
