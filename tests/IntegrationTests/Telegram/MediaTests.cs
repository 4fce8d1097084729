using System.Diagnostics.Metrics;
using System.Text.Json;
using Assistant.Metrics;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Assistant.Telegram;
using Assistant.Telegram.Media;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Assistant.IntegrationTests.Telegram;

/// <summary>
/// Photos and voice, end to end with the real Telegram.Bot and OpenAI clients: the fake Bot API
/// serves getFile and the file URL; the fake model records the parts of each request and serves
/// <c>/v1/audio/transcriptions</c>. What the user sees, what the model was asked, and what the
/// conversation keeps (text, never bytes).
/// </summary>
public sealed class MediaTests(TelegramSiloFixture fixture) : IClassFixture<TelegramSiloFixture>, IDisposable
{
    private static long _nextChat = 97_000;
    private readonly long _chat = Interlocked.Increment(ref _nextChat);

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task A_photo_with_a_caption_reaches_the_model_as_an_image_part_with_the_caption()
    {
        byte[] small = Jpeg(1_000), medium = Jpeg(40_000), huge = Jpeg(5 * 1024 * 1024 + 1); // the largest is over Telegram:MaxPhotoBytes
        var (sent, ids) = fixture.Telegram.SendUserPhoto(_chat, TelegramSiloFixture.Member, [small, medium, huge], caption: "What breed is this dog?");

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the answer");
        Assert.Contains(ids[1], fixture.Telegram.Downloads); // the largest size within the limit
        Assert.DoesNotContain(ids[2], fixture.Telegram.Downloads);
        var question = Assert.Single(fixture.Model.Requests).Messages[^1];
        Assert.Equal("user", question.Role);
        Assert.Equal(["text", "image_url"], question.Parts.Select(p => p.Type));
        Assert.Equal("What breed is this dog?", question.Parts[0].Text);
        Assert.Equal("data:image/jpeg;base64," + Convert.ToBase64String(medium), question.Parts[1].Url);

        // The conversation keeps a marker and the caption, never the image.
        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(_chat));
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).MessageCount == 2, "the exchange to be recorded", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        var view = await grain.GetAsync();
        Assert.Equal("[photo] What breed is this dog?", view.Messages[0].Text);
        Assert.All(view.Messages, m => Assert.True(m.Text.Length < 1_000, "no image bytes in the context"));
        Assert.Equal(1, view.Statistics.MessagesByKind!["photo"]);
    }

    [Fact]
    public async Task A_photo_without_a_caption_is_asked_about_with_the_default_question()
    {
        var (sent, _) = fixture.Telegram.SendUserPhoto(_chat, TelegramSiloFixture.Member, [Jpeg(2_000)]);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the answer");
        var question = Assert.Single(fixture.Model.Requests).Messages[^1];
        Assert.Equal(PhotoReader.DefaultQuestion, question.Parts[0].Text);
        Assert.Equal("image_url", question.Parts[1].Type);
    }

    [Fact]
    public async Task A_model_that_rejects_images_still_answers_the_caption_and_says_so()
    {
        fixture.Model.RejectImages = true;
        var (sent, _) = fixture.Telegram.SendUserPhoto(_chat, TelegramSiloFixture.Member, [Jpeg(3_000)], caption: "Is this a cat?");

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent && x.Text.EndsWith("Is this a cat?", StringComparison.Ordinal)), "the whole answer");
        var requests = fixture.Model.Requests.ToList();
        Assert.Equal(2, requests.Count); // with the image (rejected, 400: not retried), then the caption alone
        Assert.DoesNotContain(requests[1].Messages, m => m.Parts.Any(p => p.Type == "image_url"));
        Assert.Equal("[photo] Is this a cat?", requests[1].LastUserText);
        var reply = Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text;
        Assert.StartsWith(PhotoReader.CaptionOnly, reply, StringComparison.Ordinal);
        Assert.Contains("Echo: [photo] Is this a cat?", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_photo_without_a_caption_for_a_model_that_rejects_images_gets_a_reply_saying_so()
    {
        fixture.Model.RejectImages = true;
        var (sent, _) = fixture.Telegram.SendUserPhoto(_chat, TelegramSiloFixture.Member, [Jpeg(3_000)]);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the reply");
        Assert.Equal(PhotoReader.NoImages, Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text);
        Assert.Single(fixture.Model.Requests);
    }

    [Fact]
    public async Task A_voice_note_is_transcribed_and_the_transcript_answered()
    {
        fixture.Model.Transcriber = _ => new FakeResponse.Text("  What is the capital of France?  ");
        var audio = Ogg(6_000);
        var sent = fixture.Telegram.SendUserVoice(_chat, TelegramSiloFixture.Member, audio, durationSeconds: 4);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent && x.Text.EndsWith("France?", StringComparison.Ordinal)), "the whole answer");
        var transcription = Assert.Single(fixture.Model.Transcriptions);
        Assert.Equal("whisper-1", transcription.Model);
        Assert.Equal("Bearer test-key", transcription.Authorization);
        Assert.Equal("voice.ogg", transcription.FileName); // the API reads the format from the name
        Assert.Equal(audio, transcription.Audio);
        Assert.Equal("[voice] What is the capital of France?", Assert.Single(fixture.Model.Requests).LastUserText);
        Assert.Equal("Echo: [voice] What is the capital of France?", Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text);
        Assert.Contains(fixture.Telegram.Calls, c => c.Method == "sendChatAction" && c.ChatId == _chat);
    }

    [Fact]
    public async Task A_voice_note_over_the_time_limit_gets_a_reply_and_is_not_fetched()
    {
        var downloads = fixture.Telegram.Downloads.Count;
        var sent = fixture.Telegram.SendUserVoice(_chat, TelegramSiloFixture.Member, Ogg(100), durationSeconds: 301);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the reply");
        var reply = Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text;
        Assert.Contains("5:01 long; I transcribe up to 5:00", reply, StringComparison.Ordinal);
        Assert.Equal(downloads, fixture.Telegram.Downloads.Count);
        Assert.Empty(fixture.Model.Transcriptions);
        Assert.Empty(fixture.Model.Requests);
    }

    [Fact]
    public async Task A_failed_transcription_gets_a_reply_that_names_it_and_is_counted()
    {
        using var errors = Collect<long>("assistant.errors");
        fixture.Model.Transcriber = _ => new FakeResponse.Status(500);
        var sent = fixture.Telegram.SendUserVoice(_chat, TelegramSiloFixture.Member, Ogg(500), durationSeconds: 2);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the reply");
        Assert.Contains("couldn't transcribe your recording: the speech-to-text service failed (server_error)", Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text, StringComparison.Ordinal);
        Assert.Equal(4, fixture.Model.Transcriptions.Count); // the first try and AI:MaxRetries (3)
        Assert.Empty(fixture.Model.Requests);

        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(_chat));
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).Statistics.ErrorsByType.ContainsKey(MediaInput.TranscriptionFailed), "the failure to be counted", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        var view = await grain.GetAsync();
        Assert.Equal(1, view.Statistics.ErrorsByType[MediaInput.TranscriptionFailed]);
        Assert.Equal(1, view.Statistics.MessagesByKind!["voice"]);
        Assert.Equal(0, view.MessageCount); // nothing of it enters the conversation

        await Eventually.WaitAsync(() => Task.FromResult(Counted(errors, ("type", MediaInput.TranscriptionFailed)) >= 1), "the failure in assistant.errors", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public async Task A_wrong_model_is_not_mistaken_for_a_model_without_vision()
    {
        fixture.Model.Enqueue(new FakeResponse.Status(404, Message: "The model `fake-model` does not exist or you do not have access to it."));
        var (sent, _) = fixture.Telegram.SendUserPhoto(_chat, TelegramSiloFixture.Member, [Jpeg(3_000)], caption: "Is this a cat?");

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the apology");
        Assert.Single(fixture.Model.Requests); // not asked again without the image
        var reply = Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text;
        Assert.Equal(Assistant.Models.ModelFailure.Apology(Assistant.Models.ModelFailure.Rejected), reply); // and no line blaming images
    }

    [Fact]
    public async Task Cancel_while_a_voice_note_is_transcribed_stops_it_and_nothing_else_is_sent()
    {
        var release = new TaskCompletionSource();
        fixture.Model.Transcriber = _ => new FakeResponse.Held(release.Task, "too late");
        var voice = fixture.Telegram.SendUserVoice(_chat, TelegramSiloFixture.Member, Ogg(800), durationSeconds: 5);
        await Eventually.WaitAsync(() => Task.FromResult(!fixture.Model.Transcriptions.IsEmpty), "the transcription to start", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        var cancel = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "/cancel");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == cancel), "the /cancel confirmation");
        Assert.Equal(TelegramCommands.Cancelled, Assert.Single(fixture.Telegram.RepliesTo(_chat, cancel)).Text);

        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(_chat));
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).Statistics.Cancelled == 1, "the voice note to be recorded as cancelled", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        release.SetResult();
        var after = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "still there?");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == after), "the next answer");
        Assert.Empty(fixture.Telegram.RepliesTo(_chat, voice)); // no apology, no "couldn't transcribe"
        Assert.Equal("still there?", Assert.Single(fixture.Model.Requests).LastUserText); // the model was never asked about it
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).MessageCount == 2, "the next exchange, and nothing of the voice note, to be recorded", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        Assert.Equal("still there?", (await grain.GetAsync()).Messages[0].Text);
    }

    [Fact]
    public async Task An_endpoint_without_speech_to_text_gets_a_reply_that_says_so()
    {
        fixture.Model.Transcriber = _ => new FakeResponse.Status(404, Message: "404 page not found");
        var sent = fixture.Telegram.SendUserVoice(_chat, TelegramSiloFixture.Member, Ogg(500), durationSeconds: 2);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the reply");
        Assert.Equal(VoiceReader.NoSpeechToText, Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text);
        Assert.Single(fixture.Model.Transcriptions); // a 404 is not retried
    }

    [Fact]
    public async Task A_refusal_whose_send_fails_is_sent_again_once()
    {
        fixture.Telegram.FailSends(_chat, 1);
        var sent = fixture.Telegram.SendUserVoice(_chat, TelegramSiloFixture.Member, Ogg(100), durationSeconds: 900);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the reply after the failed send");
        var next = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "and now?");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == next), "the next answer, after which nothing more of the first may come");
        Assert.Contains("15:00 long", Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text, StringComparison.Ordinal);
        Assert.Single(fixture.Telegram.Calls, c => c.Method == "sendMessage" && c.Status == 500 && c.ChatId == _chat);
    }

    [Fact]
    public async Task A_file_gone_from_the_file_server_gets_a_reply_not_retries()
    {
        var missing = fixture.Telegram.Calls.Count(c => c.Method == "file" && c.Status == 404);
        var sent = fixture.Telegram.SendUserVoice(_chat, TelegramSiloFixture.Member, Ogg(100), durationSeconds: 3, gone: true);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the reply");
        Assert.Equal("I couldn't fetch your recording from Telegram (the download answered 404). Please send it again.", Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text);
        Assert.Equal(missing + 1, fixture.Telegram.Calls.Count(c => c.Method == "file" && c.Status == 404)); // asked once: a 404 is not retried
        Assert.Empty(fixture.Model.Transcriptions);
    }

    [Fact]
    public async Task Messages_are_counted_by_kind_in_the_sessions_report_and_the_metrics()
    {
        using var messages = Collect<long>("assistant.messages");
        using var durations = Collect<double>("assistant.reply.duration");
        var text = fixture.Telegram.SendUserMessage(_chat, TelegramSiloFixture.Member, "hello");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == text), "the text's answer");
        var (photo, _) = fixture.Telegram.SendUserPhoto(_chat, TelegramSiloFixture.Member, [Jpeg(500)], caption: "and this?");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == photo), "the photo's answer");
        var sticker = fixture.Telegram.SendUserMedia(_chat, TelegramSiloFixture.Member, "sticker");
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sticker), "the sticker's reply");

        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(_chat));
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).Statistics.MessagesByKind!.GetValueOrDefault("other") == 1, "the sticker to be counted", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        Assert.Equal(new Dictionary<string, long> { ["text"] = 1, ["photo"] = 1, ["other"] = 1 }, (await grain.GetAsync()).Statistics.MessagesByKind);

        using var report = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/sessions/report"));
        var kinds = report.RootElement.GetProperty("messages_by_kind");
        Assert.Equal(["text", "photo", "voice", "document", "other"], kinds.EnumerateObject().Select(p => p.Name));
        Assert.True(kinds.GetProperty("photo").GetInt64() >= 1);

        // Silo-wide: a message of the class's previous test may finish (and count) after its reply arrived,
        // so at least this test's; the exact per-chat counts are the statistics above.
        Assert.True(Counted(messages, ("channel", "telegram"), ("kind", "photo")) >= 1);
        Assert.True(Counted(messages, ("channel", "telegram"), ("kind", "other")) >= 1);
        var photoTimes = durations.GetMeasurementSnapshot().Where(m => m.Tags.TryGetValue("kind", out var kind) && Equals(kind, "photo")).ToList();
        Assert.NotEmpty(photoTimes);
        Assert.All(photoTimes, t => Assert.InRange(t.Value, 0, 10)); // seconds from acceptance to the recorded answer
    }

    /// <summary>This silo's own instrument: in-process silos of one test process share meter names, so /metrics would mix them.</summary>
    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct =>
        new(fixture.Silo.Services.GetRequiredService<IMeterFactory>(), AssistantMetrics.MeterName, instrument);

    private static long Counted(MetricCollector<long> collector, params (string Key, string Value)[] tags) =>
        collector.GetMeasurementSnapshot()
            .Where(m => tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
            .Sum(m => m.Value);

    /// <summary>Bytes that start as a JPEG does; the model never decodes them.</summary>
    private static byte[] Jpeg(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        return bytes;
    }

    /// <summary>Bytes that start as an Ogg page does, as a Telegram voice note (Opus in Ogg).</summary>
    private static byte[] Ogg(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        "OggS"u8.CopyTo(bytes);
        return bytes;
    }
}

/// <summary>A model configured without vision: photos are not fetched, their captions are answered.</summary>
public sealed class BlindModelTests(BlindModelFixture fixture) : IClassFixture<BlindModelFixture>, IDisposable
{
    private static long _nextChat = 98_000;
    private readonly long _chat = Interlocked.Increment(ref _nextChat);

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task A_photo_is_not_fetched_and_its_caption_is_answered_under_a_line_that_says_so()
    {
        var (sent, _) = fixture.Telegram.SendUserPhoto(_chat, TelegramSiloFixture.Member, [new byte[2_000]], caption: "Where was this taken?");

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent && x.Text.EndsWith("taken?", StringComparison.Ordinal)), "the whole answer");
        Assert.Empty(fixture.Telegram.Downloads);
        Assert.Equal("[photo] Where was this taken?", Assert.Single(fixture.Model.Requests).LastUserText);
        Assert.Equal($"{PhotoReader.CaptionOnly}\n\nEcho: [photo] Where was this taken?", Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text);
    }

    [Fact]
    public async Task A_photo_without_a_caption_gets_a_reply_and_the_model_is_not_asked()
    {
        var (sent, _) = fixture.Telegram.SendUserPhoto(_chat, TelegramSiloFixture.Member, [new byte[2_000]]);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the reply");
        Assert.Equal(PhotoReader.NoImages, Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text);
        Assert.Empty(fixture.Model.Requests);
    }
}
