using System.Globalization;
using System.Text;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;

namespace Assistant.LoadDriver;

/// <summary>
/// Round trips by kind of message, the fakes answering at once: from a user's text, photo (one
/// 150 KB size), voice note (20 KB of Ogg, transcribed) or document (a 4 KB CSV) becoming available
/// to getUpdates until the fake Bot API holds the finished reply. One chat per kind, each message
/// sent when the previous one is answered, so the figure is the service's own work per message:
/// the download, the transcription request, the image in the model request, the state write.
/// </summary>
internal static class MediaRoundTrip
{
    private const string Transcript = "what time is it in Tokyo";

    public static async Task RunAsync(Report report, bool quick)
    {
        Console.WriteLine("Media round trips (model and transcription delay 0) ...");
        await using var telegram = await FakeTelegramServer.StartAsync(ServiceSettings.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        model.Responder = request => new FakeResponse.Text("Echo: " + request.LastUserText.Split('\n')[0]);
        model.Transcriber = _ => new FakeResponse.Text(Transcript);
        var directory = ServiceSettings.NewDirectory("media");
        await using var service = new ServiceProcess(directory, ServiceSettings.Embedded(directory, model).WithTelegram(telegram));
        await service.StartUntilHealthyAsync();
        await telegram.WaitForCallsAsync("getUpdates", 1);
        var chats = new TelegramChats(telegram);

        var photo = Payload(150 * 1024, [0xFF, 0xD8, 0xFF]);
        var voice = Payload(20 * 1024, "OggS"u8.ToArray());
        var csv = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(1, 200).Select(i => $"item{i},{i * 7}\n")));
        var kinds = new (string Kind, Func<long, int, (string Reply, Action Send)> Message)[]
        {
            ("text", (chat, n) => ($"Echo: question {n}", () => telegram.SendUserMessage(chat, chat, $"question {n}"))),
            ("photo", (chat, n) => ($"Echo: what is in photo {n}?", () => telegram.SendUserPhoto(chat, chat, [photo], caption: $"what is in photo {n}?"))),
            ("voice", (chat, n) => ($"Echo: [voice] {Transcript}", () => telegram.SendUserVoice(chat, chat, voice, durationSeconds: 10))),
            ("document", (chat, n) => ($"Echo: sum column two of file {n}", () => telegram.SendUserDocument(chat, chat, "items.csv", csv, caption: $"sum column two of file {n}", mimeType: "text/csv"))),
        };

        var rounds = quick ? 30 : 200;
        foreach (var (kind, message) in kinds)
        {
            var chat = chats.Take(1)[0];
            var samples = new List<double>(rounds);
            for (var n = 0; n <= rounds; n++)
            {
                var (reply, send) = message(chat, n);
                var exchange = await chats.ExchangeAsync(chat, reply, send);
                if (n > 0)
                {
                    samples.Add(exchange.Milliseconds); // the first activates the session
                }
            }

            samples.Sort();
            var scenario = $"Telegram {kind} round trip, one chat";
            report.Add(new Figure(scenario, "p50", Percentiles.Of(samples, 50), "ms", Note: $"{samples.Count} messages"));
            report.Add(new Figure(scenario, "p99", Percentiles.Of(samples, 99), "ms"));
        }

        // What the conversations keep: text only, so a session that saw 200 photos is no larger than one that saw text.
        using var sessions = JsonDocument.Parse(await service.Http.GetStringAsync("/sessions/report"));
        var memory = sessions.RootElement.GetProperty("memory");
        report.Add(new Figure("Media sessions", "estimated bytes per session", memory.GetProperty("average_per_session_bytes").GetDouble(), "B",
            Note: string.Create(CultureInfo.InvariantCulture, $"{sessions.RootElement.GetProperty("active_sessions").GetInt32()} sessions, one per kind, {rounds + 1} messages each (context pruned at 100)")));
    }

    private static byte[] Payload(int length, byte[] head)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        head.CopyTo(bytes, 0);
        return bytes;
    }
}
