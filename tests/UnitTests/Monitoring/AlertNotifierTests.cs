using Assistant.Monitoring;

namespace Assistant.UnitTests.Monitoring;

public sealed class AlertNotifierTests
{
    [Fact]
    public void A_failure_stored_by_an_earlier_build_is_shown_without_the_admins_id()
    {
        const string stored = "health_degraded to telegram:7301234561: the admin chat does not take messages from the bot (Telegram refuses messages to chat 7301234561: Forbidden: bot was blocked by the user)";

        var shown = AlertNotifier.Anonymous(stored, [42, 7_301_234_561]);

        Assert.Equal("health_degraded to Telegram admin 2: the admin chat does not take messages from the bot (Telegram refuses messages to this chat: Forbidden: bot was blocked by the user)", shown);
        Assert.Equal("cpu_spike to webhook: 500 (Internal Server Error)", AlertNotifier.Anonymous("cpu_spike to webhook: 500 (Internal Server Error)", [42]));
        Assert.Contains("a Telegram admin no longer in Telegram:AdminUsers", AlertNotifier.Anonymous("x to telegram:99999: gone", [42]), StringComparison.Ordinal);
    }
}
