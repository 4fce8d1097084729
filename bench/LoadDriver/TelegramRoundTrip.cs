using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;

namespace Assistant.LoadDriver;

/// <summary>
/// Telegram round trip with an instant model: the time from a user's message becoming available to
/// getUpdates until the fake Bot API receives the bot's complete reply. Two runs per chat count:
/// <list type="bullet">
/// <item>paced: every chat writes again 2-4 s after its answer (faster than anyone types), for a
/// fixed time: the overhead people see while that many conversations go on at once;</item>
/// <item>back-to-back: every chat writes again the moment it is answered: the silo's capacity, where
/// the latency is mostly the queue (chats divided by exchanges per second).</item>
/// </list>
/// Each chat's first message (its session's activation) is not counted.
/// </summary>
internal static class TelegramRoundTrip
{
    private static readonly TimeSpan ThinkMin = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ThinkMax = TimeSpan.FromSeconds(4);

    public static async Task RunAsync(Report report, IReadOnlyList<int> chatCounts, bool quick)
    {
        Console.WriteLine("Telegram round trip (model delay 0) ...");
        await using var telegram = await FakeTelegramServer.StartAsync(ServiceSettings.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var directory = ServiceSettings.NewDirectory("roundtrip");
        await using var service = new ServiceProcess(directory, ServiceSettings.Embedded(directory, model).WithTelegram(telegram));
        await service.StartUntilHealthyAsync();
        await telegram.WaitForCallsAsync("getUpdates", 1);
        var chats = new TelegramChats(telegram);

        foreach (var count in chatCounts)
        {
            var ids = chats.Take(count);
            await Task.WhenAll(ids.Select(chats.ExchangeAsync)); // warm-up: sessions activated
            var duration = TimeSpan.FromSeconds(quick ? 8 : 30);
            var samples = new ConcurrentBag<double>();
            var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(ids.Select(async chat =>
            {
                var random = new Random((int)chat);
                await Task.Delay(random.Next(0, (int)ThinkMax.TotalMilliseconds)); // chats do not start in step
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    samples.Add((await chats.ExchangeAsync(chat)).Milliseconds);
                    await Task.Delay(ThinkMin + ((ThinkMax - ThinkMin) * random.NextDouble()));
                }
            }));

            var sorted = samples.Order().ToList();
            var scenario = $"Telegram round trip, {count} chat{(count == 1 ? "" : "s")} writing every 2-4 s";
            var note = $"{sorted.Count} exchanges in {duration.TotalSeconds:0} s";
            if (count == 100)
            {
                report.AtMost(scenario, "p50", Percentiles.Of(sorted, 50), "ms", 25, note);
                report.AtMost(scenario, "p99", Percentiles.Of(sorted, 99), "ms", 100);
            }
            else
            {
                report.Add(new Figure(scenario, "p50", Percentiles.Of(sorted, 50), "ms", Note: note));
                report.Add(new Figure(scenario, "p99", Percentiles.Of(sorted, 99), "ms"));
            }
        }

        foreach (var count in chatCounts)
        {
            var ids = chats.Take(count);
            await Task.WhenAll(ids.Select(chats.ExchangeAsync));
            var rounds = quick ? 3 : Math.Max(3, 2000 / count);
            var samples = new ConcurrentBag<double>();
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(ids.Select(async chat =>
            {
                for (var round = 0; round < rounds; round++)
                {
                    samples.Add((await chats.ExchangeAsync(chat)).Milliseconds);
                }
            }));

            var elapsed = Stopwatch.GetElapsedTime(started);
            var sorted = samples.Order().ToList();
            var scenario = $"Telegram back-to-back, {count} chat{(count == 1 ? "" : "s")}";
            report.Add(new Figure(scenario, "exchanges per second", sorted.Count / elapsed.TotalSeconds, "/s", Note: $"{sorted.Count} exchanges"));
            report.Add(new Figure(scenario, "p50", Percentiles.Of(sorted, 50), "ms"));
            report.Add(new Figure(scenario, "p99", Percentiles.Of(sorted, 99), "ms"));
        }
    }
}
