using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;

namespace Assistant.LoadDriver;

/// <summary>The configuration the driver gives the service: production defaults, pointed at the fakes.</summary>
internal static class ServiceSettings
{
    public const string Token = "123456789:AAE-bench_token_abcdefghijklmnopqrstuvwx";

    /// <summary><c>Storage:SqliteSynchronous</c> for the service and the durable floor alike (<c>--synchronous</c>); the service's default.</summary>
    public static string SqliteSynchronous { get; set; } = "Full";

    /// <summary>Further environment for the service (<c>--env NAME=VALUE,...</c>): runtime settings such as <c>DOTNET_GCConserveMemory</c>.</summary>
    public static Dictionary<string, string> Environment { get; } = [];

    /// <summary>A fresh SQLite database in <paramref name="directory"/>; the model on the fake OpenAI server.</summary>
    public static Dictionary<string, string> Embedded(string directory, FakeOpenAiServer? model)
    {
        var settings = new Dictionary<string, string>
        {
            ["Storage:DatabasePath"] = Path.Combine(directory, "data", "system.db"),
            ["Logs:Directory"] = Path.Combine(directory, "logs"),
            ["Storage:SqliteSynchronous"] = SqliteSynchronous,
        };
        foreach (var (name, value) in Environment)
        {
            settings[name] = value;
        }

        if (model is not null)
        {
            settings["AI:Endpoint"] = model.BaseUrl;
            settings["AI:Model"] = "bench-model";
            settings["AI:ApiKey"] = "bench-key";
        }

        return settings;
    }

    /// <summary>
    /// Adds the Telegram channel on the fake Bot API. The flood gate's limits are Telegram's, which
    /// would make a benchmark measure the gate; unless <paramref name="defaultFloodGate"/>, they are
    /// raised so the service's own cost shows.
    /// </summary>
    public static Dictionary<string, string> WithTelegram(this Dictionary<string, string> settings, FakeTelegramServer telegram, bool defaultFloodGate = false)
    {
        settings["Telegram:BotToken"] = Token;
        settings["Telegram:ApiBaseUrl"] = telegram.BaseUrl;
        if (defaultFloodGate)
        {
            return settings;
        }

        settings["Telegram:FloodGate:GlobalPerSecond"] = "1000000";
        settings["Telegram:FloodGate:PerChatPerSecond"] = "1000";
        settings["Telegram:FloodGate:PerGroupPerMinute"] = "60000";
        return settings;
    }

    public static string NewDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "assistant-bench", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
