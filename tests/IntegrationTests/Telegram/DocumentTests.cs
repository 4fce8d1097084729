using System.Text;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;

namespace Assistant.IntegrationTests.Telegram;

/// <summary>
/// Documents, end to end with the real Telegram.Bot client: the fake Bot API serves getFile and the
/// file URL; a text file's content reaches the model with its name and the caption; a file over
/// Telegram:MaxDocumentBytes or of a kind not read gets a reply that says what is read, and the
/// model is not asked.
/// </summary>
public sealed class DocumentTests(TelegramSiloFixture fixture) : IClassFixture<TelegramSiloFixture>, IDisposable
{
    private static long _nextChat = 96_000;
    private readonly long _chat = Interlocked.Increment(ref _nextChat);

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task A_text_file_with_a_caption_reaches_the_model_and_the_conversation_keeps_its_text()
    {
        var content = "name,qty\napple,3\nkiwi_fruit,12\n";
        var sent = fixture.Telegram.SendUserDocument(_chat, TelegramSiloFixture.Member, "stock.csv", Encoding.UTF8.GetBytes(content), caption: "What is the total?", mimeType: "text/csv");

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the answer");
        var asked = Assert.Single(fixture.Model.Requests).LastUserText;
        Assert.StartsWith("What is the total?", asked, StringComparison.Ordinal);
        Assert.Contains("[file stock.csv]", asked, StringComparison.Ordinal);
        Assert.Contains("kiwi_fruit,12", asked, StringComparison.Ordinal);
        Assert.Contains(fixture.Telegram.Calls, c => c.Method == "file" && c.Status == 200);

        // The reply reaches Telegram before its exchange is recorded.
        var grain = fixture.Silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(_chat));
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).MessageCount == 2, "the exchange to be recorded", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        Assert.Contains((await grain.GetAsync()).Messages, m => m.Role == "user" && m.Text.Contains("kiwi_fruit,12", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pdfs_text_layer_reaches_the_model()
    {
        var builder = new UglyToad.PdfPig.Writer.PdfDocumentBuilder();
        var font = builder.AddStandard14Font(UglyToad.PdfPig.Fonts.Standard14Fonts.Standard14Font.Helvetica);
        var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
        page.AddText("Invoice total 4711 EUR", 12, new UglyToad.PdfPig.Core.PdfPoint(50, 700), font);

        var sent = fixture.Telegram.SendUserDocument(_chat, TelegramSiloFixture.Member, "invoice.pdf", builder.Build(), caption: "How much?", mimeType: "application/pdf");

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the answer");
        var asked = Assert.Single(fixture.Model.Requests).LastUserText;
        Assert.StartsWith("How much?", asked, StringComparison.Ordinal);
        Assert.Contains("[file invoice.pdf]", asked, StringComparison.Ordinal);
        Assert.Contains("Invoice total 4711 EUR", asked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_whose_size_Telegram_does_not_say_is_stopped_at_the_limit_with_a_reply()
    {
        var downloads = fixture.Telegram.Calls.Count(c => c.Method == "file");
        var sent = fixture.Telegram.SendUserDocument(_chat, TelegramSiloFixture.Member, "huge.log", Encoding.UTF8.GetBytes(new string('x', 300 * 1024)), caption: "read this", sizeUnknown: true);

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the reply");
        Assert.Contains("huge.log is over my limit", Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text, StringComparison.Ordinal);
        Assert.Equal(downloads + 1, fixture.Telegram.Calls.Count(c => c.Method == "file")); // one download, stopped at the limit: no retries
        Assert.Empty(fixture.Model.Requests);
    }

    [Theory]
    [InlineData("scan.pdf", 2048, "has no text I can read")]
    [InlineData("big.txt", 300 * 1024, "over my limit")]
    [InlineData("archive.zip", 1024, "can't read archive.zip")]
    public async Task A_file_over_the_limit_or_of_another_kind_gets_a_reply_saying_what_is_read(string fileName, int size, string says)
    {
        var sent = fixture.Telegram.SendUserDocument(_chat, TelegramSiloFixture.Member, fileName, new byte[size], caption: "read this");

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == sent), "the reply");
        var reply = Assert.Single(fixture.Telegram.RepliesTo(_chat, sent)).Text;
        Assert.Contains(says, reply, StringComparison.Ordinal);
        Assert.Contains("I read text files", reply, StringComparison.Ordinal);
        Assert.Contains("256 KB", reply, StringComparison.Ordinal);
        Assert.Empty(fixture.Model.Requests);
    }
}
