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
    public void Photos_are_recognised_as_photos()
    {
        var update = Update(ChatType.Private, null);
        update.Message!.Photo = [new PhotoSize { FileId = "f", FileUniqueId = "u", Width = 1, Height = 1 }];

        Assert.Equal(TelegramContent.Photo, IncomingMessages.From(update, Bot)!.Content);
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
