using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;

namespace Assistant.LoadDriver;

/// <summary>
/// The chaos set-up: three silo processes on one database, ten Telegram chats. The silo running
/// the Telegram channel is killed (SIGKILL); every chat writes at once; the figures are the time
/// from the kill to the first reply and to every chat's reply. The victim is restarted between kills.
/// </summary>
internal static class Failover
{
    private const int Chats = 10;

    public static async Task RunAsync(Report report, int kills)
    {
        Console.WriteLine("Failover (3 silos, kill the Telegram channel's silo) ...");
        await using var telegram = await FakeTelegramServer.StartAsync(ServiceSettings.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var directory = ServiceSettings.NewDirectory("failover");
        var settings = ServiceSettings.Embedded(directory, model).WithTelegram(telegram);
        var silos = new List<ServiceProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var own = Path.Combine(directory, $"silo{i + 1}");
                var silo = new ServiceProcess(own, new Dictionary<string, string>(settings) { ["Logs:Directory"] = Path.Combine(own, "logs") });
                silos.Add(silo);
                await silo.StartUntilHealthyAsync();
            }

            var chats = new TelegramChats(telegram);
            var ids = chats.Take(Chats);
            async Task<Exchange[]> EveryChatWritesAsync() => await Task.WhenAll(ids.Select(chats.ExchangeAsync));

            await EveryChatWritesAsync(); // sessions active across the silos
            var first = new List<double>();
            var all = new List<double>();
            for (var kill = 0; kill < kills; kill++)
            {
                var victim = await ChannelSiloAsync(silos);
                await victim.KillAsync();
                var killedAt = Stopwatch.GetTimestamp();
                var answered = await EveryChatWritesAsync();
                first.Add(Stopwatch.GetElapsedTime(killedAt, answered.Min(e => e.Answered)).TotalSeconds);
                all.Add(Stopwatch.GetElapsedTime(killedAt, answered.Max(e => e.Answered)).TotalSeconds);
                Console.WriteLine($"  kill {kill + 1}: first reply after {first[^1]:0.00} s, every chat after {all[^1]:0.00} s");
                await victim.StartUntilHealthyAsync(TimeSpan.FromMinutes(3));
                await EveryChatWritesAsync();
            }

            report.Add(new Figure("Failover", "kill to first reply", first.Average(), "s", Note: $"mean of {kills} kills, worst {first.Max():0.00} s"));
            report.Add(new Figure("Failover", "kill to every chat answered", all.Average(), "s", Note: $"{Chats} chats, worst {all.Max():0.00} s"));
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static async Task<ServiceProcess> ChannelSiloAsync(List<ServiceProcess> silos)
    {
        var status = await silos.First(s => !s.HasExited).Http.GetFromJsonAsync<JsonElement>("/telegram/status");
        var name = status.GetProperty("channel_silo").GetString()!;
        return silos.Single(s => name.EndsWith("-" + s.SiloPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }
}
