using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Assistant.Fakes.Telegram;

namespace Assistant.UnitTests.Fakes;

/// <summary>
/// The fake Bot API must show updates in the order of their ids, as Telegram does: a poller
/// confirms by offset (every id below it), so an update that becomes visible after a higher one
/// was served is dropped as confirmed. That lost a chaos-test message now and then.
/// </summary>
public sealed class FakeTelegramUpdatesTests
{
    [Fact]
    public async Task Updates_written_at_once_by_many_users_are_served_in_id_order_and_none_is_lost()
    {
        await using var telegram = await FakeTelegramServer.StartAsync("1:test");
        using var http = new HttpClient { BaseAddress = new Uri(telegram.BaseUrl) };
        const int Users = 8, Messages = 250;
        using var start = new Barrier(Users);
        await Task.WhenAll(Enumerable.Range(1, Users).Select(user => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var n = 0; n < Messages; n++)
            {
                telegram.SendUserMessage(user, user, $"message {n}");
            }
        })));

        // Read them all as a poller does, confirming each page by offset.
        var served = new List<long>();
        long offset = 0;
        while (true)
        {
            using var response = await http.PostAsJsonAsync("/bot1:test/getUpdates", new { offset, limit = 100, timeout = 0 });
            var page = (await response.Content.ReadFromJsonAsync<JsonObject>())!["result"]!.AsArray().Select(u => u!["update_id"]!.GetValue<long>()).ToList();
            if (page.Count == 0)
            {
                break;
            }

            served.AddRange(page);
            offset = page.Max() + 1;
        }

        Assert.Equal(served.Order(), served); // never a higher id before a lower one
        Assert.Equal(Users * Messages, served.Count);
    }
}
