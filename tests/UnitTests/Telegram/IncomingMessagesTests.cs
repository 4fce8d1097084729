using Assistant.Telegram;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace Assistant.UnitTests.Telegram;

public sealed class IncomingMessagesTests
{
    private static readonly TelegramBotUser Bot = new(99, "helper_bot", "Helper");

    [Fact]
    public void A_private_text_is_for_the_bot()
    {
        var incoming = IncomingMessages.From(Update(ChatType.Private, "hello"), Bot)!;

        Assert.Equal(TelegramContent.Text, incoming.Content);
        Assert.Equal("hello", incoming.Text);
        Assert.False(incoming.Group);
        Assert.Equal(5, incoming.UpdateId);
        Assert.Equal(12, incoming.MessageId);
    }

    [Fact]
    public void In_a_group_only_mentions_replies_and_commands_count_and_the_mention_is_removed()
    {
        Assert.Null(IncomingMessages.From(Update(ChatType.Supergroup, "talking among ourselves"), Bot));
        Assert.Equal("what time is it?", IncomingMessages.From(Update(ChatType.Supergroup, "@Helper_Bot what time is it?"), Bot)!.Text);
        Assert.NotNull(IncomingMessages.From(Update(ChatType.Group, "and then?", replyToBot: true), Bot));
        Assert.Equal(TelegramContent.Command, IncomingMessages.From(Update(ChatType.Group, "/help"), Bot)!.Content);
    }

    [Fact]
    public void Commands_for_another_bot_and_channel_posts_are_ignored()
    {
        Assert.Null(IncomingMessages.From(Update(ChatType.Private, "/start@other_bot"), Bot));
        Assert.NotNull(IncomingMessages.From(Update(ChatType.Private, "/start@helper_bot"), Bot));
        Assert.Null(IncomingMessages.From(Update(ChatType.Channel, "post"), Bot));
    }

    [Fact]
    public void A_photo_keeps_every_size_and_its_caption_is_the_text()
    {
        var update = Update(ChatType.Private, null);
        update.Message!.Caption = "what is this?";
        update.Message.Photo =
        [
            new PhotoSize { FileId = "small", FileUniqueId = "u1", Width = 90, Height = 90, FileSize = 1_000 },
            new PhotoSize { FileId = "large", FileUniqueId = "u2", Width = 1280, Height = 1280, FileSize = 90_000 },
        ];

        var incoming = IncomingMessages.From(update, Bot)!;

        Assert.Equal(TelegramContent.Photo, incoming.Content);
        Assert.Equal("what is this?", incoming.Text);
        Assert.Equal(["small", "large"], incoming.PhotoSizes!.Select(p => p.FileId));
        Assert.Equal([1_000L, 90_000L], incoming.PhotoSizes!.Select(p => p.Size!.Value));
    }

    [Fact]
    public void A_voice_note_carries_its_file_and_duration()
    {
        var update = Update(ChatType.Private, null);
        update.Message!.Voice = new Voice { FileId = "v", FileUniqueId = "uv", Duration = 42, MimeType = "audio/ogg", FileSize = 9_000 };

        var incoming = IncomingMessages.From(update, Bot)!;

        Assert.Equal(TelegramContent.Voice, incoming.Content);
        Assert.Equal(new TelegramFile("v", null, 9_000, "audio/ogg", 42), incoming.File);
    }

    [Fact]
    public void Videos_and_locations_are_told_apart_from_documents()
    {
        var video = Update(ChatType.Private, null);
        video.Message!.Video = new Video { FileId = "m", FileUniqueId = "um", Width = 1, Height = 1, Duration = 3 };
        var location = Update(ChatType.Private, null);
        location.Message!.Location = new Location { Latitude = 1, Longitude = 2 };

        Assert.Equal(TelegramContent.Video, IncomingMessages.From(video, Bot)!.Content);
        Assert.Null(IncomingMessages.From(video, Bot)!.File); // not fetched: no reader takes it
        Assert.Equal(TelegramContent.Location, IncomingMessages.From(location, Bot)!.Content);
    }

    [Fact]
    public void The_largest_photo_size_within_the_limit_is_chosen()
    {
        TelegramFile[] sizes = [new("s", null, 1_000, null), new("m", null, 50_000, null), new("l", null, 6_000_000, null)];

        Assert.Equal("m", Assistant.Telegram.Media.PhotoReader.Choose(sizes, 5 * 1024 * 1024)!.FileId);
        Assert.Equal("l", Assistant.Telegram.Media.PhotoReader.Choose(sizes, 10 * 1024 * 1024)!.FileId);
        Assert.Null(Assistant.Telegram.Media.PhotoReader.Choose(sizes, 500));
    }

    [Theory]
    [InlineData("/Reset@Helper_bot now", "/reset")]
    [InlineData("/help", "/help")]
    public void Command_names_drop_the_bot_and_arguments(string text, string name) => Assert.Equal(name, TelegramCommands.Name(text));

    private static Update Update(ChatType type, string? text, bool replyToBot = false) => new()
    {
        Id = 5,
        Message = new Message
        {
            Id = 12,
            Date = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc),
            Chat = new Chat { Id = type == ChatType.Private ? 77 : -77, Type = type },
            From = new User { Id = 1001, FirstName = "Ann" },
            Text = text,
            ReplyToMessage = replyToBot ? new Message { Id = 11, From = new User { Id = 99, IsBot = true, FirstName = "Helper" }, Chat = new Chat { Id = -77, Type = type } } : null,
        },
    };
}
