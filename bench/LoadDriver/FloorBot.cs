using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Assistant.LoadDriver;

/// <summary>
/// The floor the service is measured against: a minimal bot of our own (run in a process of its
/// own by <see cref="FloorProcess"/>). It
/// long-polls getUpdates with a raw <see cref="HttpClient"/>, asks the model once (no streaming)
/// and sends one message: no framework, no Orleans, no retries, no formatting. With a database
/// path it is the "floor + durable" bot: each update is written to SQLite (WAL, and the same
/// <c>synchronous</c> as the service's database) in its own transaction before it is answered, so the
/// difference between the two is what durability alone costs. Updates are answered concurrently.
/// </summary>
internal sealed class FloorBot : IAsyncDisposable
{
    private readonly HttpClient _telegram;
    private readonly HttpClient _model;
    private readonly string? _connectionString;
    private readonly string _insert;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private FloorBot(string telegramBaseUrl, string token, string modelBaseUrl, string? databasePath, string synchronous)
    {
        // synchronous is per connection in SQLite: set with every insert, as the service sets it on every connection.
        _insert = $"PRAGMA synchronous = {synchronous}; INSERT OR IGNORE INTO updates (update_id, chat_id, text) VALUES ($id, $chat, $text)";
        _telegram = new HttpClient { BaseAddress = new Uri($"{telegramBaseUrl}/bot{token}/"), Timeout = TimeSpan.FromSeconds(60) };
        _model = new HttpClient { BaseAddress = new Uri(modelBaseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
        if (databasePath is not null)
        {
            _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true, DefaultTimeout = 30 }.ToString();
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using var setup = connection.CreateCommand();
            setup.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS updates (update_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, text TEXT NOT NULL)";
            setup.ExecuteNonQuery();
        }

        _loop = PollAsync(_stop.Token);
    }

    public static FloorBot Start(string telegramBaseUrl, string token, string modelBaseUrl, string? databasePath, string synchronous) =>
        new(telegramBaseUrl, token, modelBaseUrl, databasePath, synchronous);

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        long offset = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            JsonElement result;
            try
            {
                using var response = await _telegram.PostAsJsonAsync("getUpdates", new { offset, timeout = 25, allowed_updates = new[] { "message" } }, cancellationToken);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                result = body.RootElement.GetProperty("result").Clone();
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            foreach (var update in result.EnumerateArray())
            {
                offset = Math.Max(offset, update.GetProperty("update_id").GetInt64() + 1);
                if (update.TryGetProperty("message", out var message) && message.TryGetProperty("text", out var text))
                {
                    _ = AnswerAsync(update.GetProperty("update_id").GetInt64(), message.GetProperty("chat").GetProperty("id").GetInt64(), text.GetString()!, cancellationToken);
                }
            }
        }
    }

    private async Task AnswerAsync(long updateId, long chatId, string text, CancellationToken cancellationToken)
    {
        try
        {
            if (_connectionString is not null)
            {
                await using var connection = new SqliteConnection(_connectionString);
                await connection.OpenAsync(cancellationToken);
                await using var insert = connection.CreateCommand();
                insert.CommandText = _insert;
                insert.Parameters.AddWithValue("$id", updateId);
                insert.Parameters.AddWithValue("$chat", chatId);
                insert.Parameters.AddWithValue("$text", text);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            using var completion = await _model.PostAsJsonAsync(
                "chat/completions",
                new { model = "fake-model", messages = new[] { new { role = "user", content = text } } },
                cancellationToken);
            var answer = JsonNode.Parse(await completion.Content.ReadAsStringAsync(cancellationToken))!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
            using var sent = await _telegram.PostAsJsonAsync("sendMessage", new { chat_id = chatId, text = answer }, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"floor bot: update {updateId} not answered: {ex.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _telegram.Dispose();
        _model.Dispose();
        _stop.Dispose();
        SqliteConnection.ClearAllPools();
    }
}
