using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Orleans.Core.Internal;

namespace Assistant.IntegrationTests.Conversations;

/// <summary>
/// A model and a persona per chat: <c>/model</c>, <c>/persona</c>, <c>GET/PUT /sessions/{id}/settings</c>,
/// stored with the conversation; and <c>AI:FallbackModels</c> answering when the chat's model fails.
/// Judged by what the model server was asked and what the user got.
/// </summary>
[Collection(ChatChoicesCollection.Name)]
public sealed class ChatChoicesTests(ChatChoicesFixture fixture) : IDisposable
{
    private const long Member = TelegramSiloFixture.Member;
    private static long _nextChat = 95_000;
    private readonly long _chat = Interlocked.Increment(ref _nextChat);

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task Model_lists_and_switches_the_chats_model_which_its_requests_then_name_and_which_survives_the_session_leaving_memory()
    {
        var list = await AskAsync("/model");
        Assert.Contains("✓ fake-model", list);
        Assert.Contains("• fake-large", list);

        var unknown = await AskAsync("/model gpt-9");
        Assert.Contains("Unknown model 'gpt-9'", unknown);
        Assert.Contains("✓ fake-model", unknown); // nothing changed

        Assert.Contains("fake-large", await AskAsync("/model fake-large"));
        await AskAsync("first question");
        Assert.Equal("fake-large", fixture.Model.Requests.Last(r => r.LastUserText == "first question").Model);

        await fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(_chat)).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await AskAsync("second question");
        Assert.Equal("fake-large", fixture.Model.Requests.Last(r => r.LastUserText == "second question").Model);
        Assert.Contains("✓ fake-large", await AskAsync("/model"));
    }

    [Fact]
    public async Task Persona_switches_the_system_prompt_and_only_an_administrator_sets_a_custom_one()
    {
        Assert.Contains("• pirate", await AskAsync("/persona"));
        Assert.Contains("pirate", await AskAsync("/persona pirate"));
        await AskAsync("ahoy?");
        Assert.Equal(ChatChoicesFixture.PiratePrompt, SystemPrompt(fixture.Model.Requests.Last(r => r.LastUserText == "ahoy?")));

        Assert.Contains("only the service's administrators", await AskAsync("/persona custom You are a cat."));
        var adminChat = _chat + 500_000;
        Assert.Contains("its own persona", await AskAsync("/persona custom You are a cat.", adminChat, TelegramSiloFixture.Admin));
        await AskAsync("meow?", adminChat, TelegramSiloFixture.Admin);
        Assert.Equal("You are a cat.", SystemPrompt(fixture.Model.Requests.Last(r => r.LastUserText == "meow?")));
        Assert.Contains("✓ custom", await AskAsync("/persona", adminChat, TelegramSiloFixture.Admin));

        Assert.Contains("Unknown persona 'ninja'", await AskAsync("/persona ninja"));
    }

    [Fact]
    public async Task Help_lists_every_command_from_the_registry()
    {
        var help = await AskAsync("/help");
        foreach (var command in new[] { "/reset", "/cancel", "/model", "/persona", "/memory", "/status", "/help" })
        {
            Assert.Contains(command + " — ", help);
        }
    }

    [Fact]
    public async Task When_the_chats_model_keeps_failing_the_fallback_answers_the_turn_and_it_is_counted()
    {
        fixture.Model.Responder = request => request.Model == "fake-model" ? new FakeResponse.Status(503) : FakeOpenAiServer.Echo(request);
        var reply = await AskAsync("are you there?");

        Assert.Equal("Echo: are you there?", reply);
        var asked = fixture.Model.Requests.Where(r => r.LastUserText == "are you there?").Select(r => r.Model).ToList();
        Assert.Equal("fake-backup", asked[^1]);
        Assert.Equal(4, asked.Count(m => m == "fake-model")); // the first try and AI:MaxRetries (3) before falling back
        var metrics = await Admin().GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("assistant_model_fallbacks_total{", StringComparison.Ordinal));
        Assert.True(line is not null, metrics[..Math.Min(metrics.Length, 3000)]);
        Assert.Contains("fallback=\"fake-backup\"", line);
        Assert.Contains("model=\"fake-model\"", line);
    }

    [Fact]
    public async Task Over_HTTP_settings_are_read_and_set_and_an_unknown_name_is_400_naming_the_choices()
    {
        var session = $"choices-{_chat}";
        var settings = await Admin().GetFromJsonAsync<JsonElement>($"/sessions/{session}/settings");
        Assert.Equal("fake-model", settings.GetProperty("model").GetString());
        Assert.Equal("default", settings.GetProperty("persona").GetString());
        Assert.Equal(["fake-model", "fake-large"], settings.GetProperty("models").EnumerateArray().Select(m => m.GetString()));

        using var bad = await Admin().PutAsJsonAsync($"/sessions/{session}/settings", new { model = "gpt-9", persona = "ninja" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("fake-model, fake-large", problem.GetProperty("errors").GetProperty("model")[0].GetString());
        Assert.Contains("default, pirate", problem.GetProperty("errors").GetProperty("persona")[0].GetString());

        using var good = await Admin().PutAsJsonAsync($"/sessions/{session}/settings", new { model = "fake-large", persona = "pirate" });
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/sessions/{session}/messages") { Content = JsonContent.Create(new { text = "over http" }) };
        using var answered = await Admin().SendAsync(message);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var request = fixture.Model.Requests.Last(r => r.LastUserText == "over http");
        Assert.Equal("fake-large", request.Model);
        Assert.Equal(ChatChoicesFixture.PiratePrompt, SystemPrompt(request));
    }

    private static string? SystemPrompt(FakeCompletionRequest request) => request.Messages.First(m => m.Role == "system").Content;

    private HttpClient Admin() => fixture.AdminClient();

    private async Task<string> AskAsync(string text, long? chat = null, long user = Member)
    {
        var id = chat ?? _chat;
        var message = fixture.Telegram.SendUserMessage(id, user, text);
        await fixture.Telegram.WaitUntilAsync(id, m => m.Any(x => x.ReplyTo == message), $"the reply to '{text}'", TimeSpan.FromSeconds(30));
        return fixture.Telegram.RepliesTo(id, message)[^1].Text;
    }
}
