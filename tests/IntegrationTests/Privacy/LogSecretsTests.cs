using System.Net.Http.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Privacy;

/// <summary>
/// The whole service, as a process, with a bot token, a model key and an admin key set and every
/// log category at Debug: after the Telegram channel and every endpoint have been driven (with the
/// key, without it, with a wrong one, and with the secrets themselves in paths, queries and
/// headers), no log file and no console line holds any of the three.
/// </summary>
public sealed class LogSecretsTests
{
    private const string ModelKey = "sk-scan-model-key-0123456789abcdef";
    private const string AdminKey = "scan-admin-key-0123456789abcdef";
    private const string TranscriptionKey = "sk-scan-transcription-key-fedcba9876543210";
    private const string WebhookSecret = "s3cret-token_for-tests";
    private const long Chat = TelegramSiloFixture.Member;

    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("GET", "/health"), ("GET", "/health/live"), ("GET", "/health/ready"),
        ("GET", "/telegram/status"), ("GET", "/telegram/dead-letters"), ("GET", $"/telegram/chats/{Chat}"),
        ("GET", "/resources/status?refresh=true"), ("POST", "/resources/cleanup"),
        ("GET", "/restart/status"), ("POST", "/restart/force"),
        ("GET", "/maintenance/mode"), ("POST", "/maintenance/analyze"),
        ("GET", "/tasks"), ("GET", "/tasks/1"),
        ("GET", "/sessions/report"), ("POST", "/sessions/scan/messages"), ("GET", "/sessions/scan"),
        ("POST", "/sessions/scan/cancel"), ("DELETE", "/sessions/scan"),
        ("GET", "/metrics"), ("GET", "/dashboard/"), ("POST", "/telegram/webhook"),
    ];

    [Fact]
    public async Task A_full_run_with_every_secret_set_writes_none_of_them_to_any_log()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        model.Enqueue(new FakeResponse.Status(401, Message: $"Incorrect API key provided: {ModelKey}")); // as some servers answer
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[key] = value;
        }

        settings["AI:ApiKey"] = ModelKey;
        settings["AI:TranscriptionApiKey"] = TranscriptionKey;
        settings["Telegram:WebhookSecret"] = WebhookSecret;
        settings["Admin:ApiKey"] = AdminKey;
        settings["Serilog:MinimumLevel:Default"] = "Debug";
        settings["Serilog:MinimumLevel:Override:Microsoft"] = "Debug";
        settings["Serilog:MinimumLevel:Override:System.Net.Http.HttpClient"] = "Debug";
        settings["Serilog:MinimumLevel:Override:Orleans"] = "Information";
        settings["Serilog:Using:0"] = "Serilog.Sinks.File"; // a sink an operator adds in configuration is redacted too
        settings["Serilog:WriteTo:0:Name"] = "File";
        settings["Serilog:WriteTo:0:Args:path"] = "logs/configured/extra.log";
        await using var cluster = new SiloCluster("log-secrets", settings);
        var silo = await cluster.StartSiloAsync();

        // The Telegram channel: a model error that quotes the key, an answer, an admin command.
        foreach (var (user, text) in new[] { (TelegramSiloFixture.Member, "hello"), (TelegramSiloFixture.Member, "again"), (TelegramSiloFixture.Admin, "/status") })
        {
            var asked = telegram.SendUserMessage(user, user, text);
            await telegram.WaitUntilAsync(user, m => m.Any(x => x.ReplyTo == asked), $"the reply to '{text}'", TimeSpan.FromSeconds(30));
        }

        // Every endpoint with the key, without it, and with a secret as the key.
        using var anonymous = new HttpClient { BaseAddress = silo.Http.BaseAddress };
        foreach (var (method, path) in Endpoints)
        {
            foreach (var (client, key) in new[] { (silo.Http, (string?)null), (anonymous, null), (anonymous, TelegramSiloFixture.Token), (anonymous, ModelKey) })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (key is not null)
                {
                    request.Headers.Add("X-Api-Key", key);
                }

                if (method == "POST")
                {
                    request.Content = JsonContent.Create(new { text = "scan" });
                }

                using var response = await client.SendAsync(request);
            }
        }

        // The secrets where a request log would show them: path, query, headers.
        await anonymous.GetAsync($"/health?token={Uri.EscapeDataString(TelegramSiloFixture.Token)}&key={ModelKey}");
        await silo.Http.GetAsync($"/sessions/{AdminKey}");
        using (var bearer = new HttpRequestMessage(HttpMethod.Get, "/restart/status"))
        {
            bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ModelKey);
            await anonymous.SendAsync(bearer);
        }

        // Encoded as a request line or a browser encodes them: percent-encoded in paths and queries, and as a Basic password.
        foreach (var secret in Secrets.Select(s => s.Secret))
        {
            await anonymous.GetAsync($"/sessions/{Uri.EscapeDataString(secret)}");
            await anonymous.GetAsync($"/no/such/path?secret={Uri.EscapeDataString(secret).ToLowerInvariant()}");
            using var basic = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
            basic.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"operator:{secret}")));
            await anonymous.SendAsync(basic);
            using var webhook = new HttpRequestMessage(HttpMethod.Post, "/telegram/webhook") { Content = JsonContent.Create(new { update_id = 1 }) };
            webhook.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
            await anonymous.SendAsync(webhook);
        }

        await silo.StopAsync();
        var logs = Directory.GetFiles(Path.Combine(silo.WorkingDirectory, "logs"), "*", SearchOption.AllDirectories)
            .Select(f => (File: f, Text: File.ReadAllText(f)))
            .Append((File: "console", Text: silo.Output))
            .ToList();

        // The run logged what a leak would ride on (Bot API URLs, the model's error), masked, to the configured sink too.
        var all = string.Concat(logs.Select(l => l.Text));
        Assert.Contains(logs, l => l.File.EndsWith("extra.log", StringComparison.Ordinal) && l.Text.Contains("/bot***/", StringComparison.Ordinal));
        Assert.Contains("/bot***/", all, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided: ***", all, StringComparison.Ordinal);
        foreach (var (file, text) in logs)
        {
            foreach (var (name, secret) in Secrets)
            {
                foreach (var (form, shown) in Forms(secret))
                {
                    var at = text.IndexOf(shown, StringComparison.Ordinal);
                    Assert.True(at < 0, $"{Path.GetFileName(file)} holds the {name} ({form}): ...{(at < 0 ? "" : text.Substring(Math.Max(0, at - 200), Math.Min(300, text.Length - Math.Max(0, at - 200))))}...");
                }
            }
        }
    }

    private static readonly (string Name, string Secret)[] Secrets =
    [
        ("bot token", TelegramSiloFixture.Token), ("model key", ModelKey), ("admin key", AdminKey), ("transcription key", TranscriptionKey), ("webhook secret", WebhookSecret),
    ];

    /// <summary>A secret as a log line could carry it: as it is, percent-encoded (either case), and inside a Basic credential.</summary>
    private static IEnumerable<(string Form, string Shown)> Forms(string secret)
    {
        yield return ("raw", secret);
        var escaped = Uri.EscapeDataString(secret);
        if (escaped != secret)
        {
            yield return ("percent-encoded", escaped);
            yield return ("percent-encoded, lower case", System.Text.RegularExpressions.Regex.Replace(escaped, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()));
        }

        yield return ("Basic credential", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"operator:{secret}")));
    }
}
