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

    /// <summary>
    /// Ours, then the floor (<see cref="FloorBot"/>) and the floor with a durable write per update,
    /// each against fresh fakes, the same chats and the same driver: every figure has its floor
    /// beside it, and the ratio.
    /// </summary>
    public static async Task RunAsync(Report report, IReadOnlyList<int> chatCounts, bool quick)
    {
        Console.WriteLine("Telegram round trip (model delay 0): the service ...");
        var ours = await MeasureAsync(chatCounts, quick, async (telegram, model) =>
        {
            var directory = ServiceSettings.NewDirectory("roundtrip");
            var service = new ServiceProcess(directory, ServiceSettings.Embedded(directory, model).WithTelegram(telegram));
            await service.StartUntilHealthyAsync();
            return service;
        });
        Console.WriteLine("Telegram round trip: the floor (a minimal bot, nothing stored) ...");
        var floor = await MeasureAsync(chatCounts, quick, (telegram, model) =>
            Task.FromResult<IAsyncDisposable>(FloorBot.Start(telegram.BaseUrl, ServiceSettings.Token, model.BaseUrl)));
        Console.WriteLine("Telegram round trip: the floor + durable (each update written to SQLite first) ...");
        var durable = await MeasureAsync(chatCounts, quick, (telegram, model) =>
            Task.FromResult<IAsyncDisposable>(FloorBot.Start(telegram.BaseUrl, ServiceSettings.Token, model.BaseUrl, Path.Combine(ServiceSettings.NewDirectory("floor"), "floor.db"))));

        foreach (var count in chatCounts)
        {
            var chats = $"{count} chat{(count == 1 ? "" : "s")}";
            var (o, f, d) = (ours[count], floor[count], durable[count]);
            var scenario = $"Telegram round trip, {chats} writing every 2-4 s";
            var note = $"{o.Paced.Count} exchanges in {o.PacedSeconds:0} s";
            if (count == 100)
            {
                report.AtMost(scenario, "p50", Percentiles.Of(o.Paced, 50), "ms", 25, note);
                report.AtMost(scenario, "p99", Percentiles.Of(o.Paced, 99), "ms", 100);
            }
            else
            {
                report.Add(new Figure(scenario, "p50", Percentiles.Of(o.Paced, 50), "ms", Note: note));
                report.Add(new Figure(scenario, "p99", Percentiles.Of(o.Paced, 99), "ms"));
            }

            AddFloor(report, scenario, "p50", o.Paced, f.Paced, d.Paced, 50);
            AddFloor(report, scenario, "p99", o.Paced, f.Paced, d.Paced, 99);
        }

        foreach (var count in chatCounts)
        {
            var (o, f, d) = (ours[count], floor[count], durable[count]);
            var scenario = $"Telegram back-to-back, {count} chat{(count == 1 ? "" : "s")}";
            report.Add(new Figure(scenario, "exchanges per second", o.Rate, "/s", Note: $"{o.BackToBack.Count} exchanges"));
            report.Add(new Figure(scenario, "p50", Percentiles.Of(o.BackToBack, 50), "ms"));
            report.Add(new Figure(scenario, "p99", Percentiles.Of(o.BackToBack, 99), "ms"));
            report.Add(new Figure($"Floor: {scenario}", "exchanges per second", f.Rate, "/s"));
            report.Add(new Figure($"Floor + durable: {scenario}", "exchanges per second", d.Rate, "/s"));
            report.Add(new Figure($"Ratio ours / floor: {scenario}", "exchanges per second", o.Rate / f.Rate, "x"));
            AddFloor(report, scenario, "p50", o.BackToBack, f.BackToBack, d.BackToBack, 50);
            AddFloor(report, scenario, "p99", o.BackToBack, f.BackToBack, d.BackToBack, 99);
        }
    }

    private static void AddFloor(Report report, string scenario, string name, List<double> ours, List<double> floor, List<double> durable, double percentile)
    {
        var (o, f, d) = (Percentiles.Of(ours, percentile), Percentiles.Of(floor, percentile), Percentiles.Of(durable, percentile));
        report.Add(new Figure($"Floor: {scenario}", name, f, "ms"));
        report.Add(new Figure($"Floor + durable: {scenario}", name, d, "ms"));
        report.Add(new Figure($"Ratio ours / floor: {scenario}", name, o / f, "x", Note: $"ours / floor + durable: {o / d:0.0}x"));
    }

    /// <summary>One system under test, started against fresh fakes: paced and back-to-back figures per chat count.</summary>
    private static async Task<Dictionary<int, Measured>> MeasureAsync(IReadOnlyList<int> chatCounts, bool quick, Func<FakeTelegramServer, FakeOpenAiServer, Task<IAsyncDisposable>> start)
    {
        await using var telegram = await FakeTelegramServer.StartAsync(ServiceSettings.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        await using var system = await start(telegram, model);
        await telegram.WaitForCallsAsync("getUpdates", 1);
        var chats = new TelegramChats(telegram);
        var measured = new Dictionary<int, Measured>();
        var duration = TimeSpan.FromSeconds(quick ? 8 : 30);
        foreach (var count in chatCounts)
        {
            var ids = chats.Take(count);
            await Task.WhenAll(ids.Select(chats.ExchangeAsync)); // warm-up: sessions activated
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

            measured[count] = new Measured([.. samples.Order()], duration.TotalSeconds, [], 0);
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
            measured[count] = measured[count] with { BackToBack = [.. samples.Order()], Rate = samples.Count / elapsed.TotalSeconds };
        }

        return measured;
    }

    private sealed record Measured(List<double> Paced, double PacedSeconds, List<double> BackToBack, double Rate);
}
