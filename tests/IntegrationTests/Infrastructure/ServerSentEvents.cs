using System.Net.ServerSentEvents;

namespace Assistant.IntegrationTests.Infrastructure;

public static class ServerSentEvents
{
    public static async Task<List<SseItem<string>>> ReadAllAsync(Stream stream)
    {
        var items = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            items.Add(item);
        }

        return items;
    }
}
