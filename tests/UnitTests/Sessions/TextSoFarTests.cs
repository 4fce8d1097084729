using System.Text;
using Assistant.Sessions;

namespace Assistant.UnitTests.Sessions;

/// <summary>The streamed answer's view: its length is always that of its text, with or without a media preface, and it follows the builder.</summary>
public sealed class TextSoFarTests
{
    [Fact]
    public void The_length_is_the_texts_and_the_text_follows_the_answer_as_it_grows()
    {
        var answer = new StringBuilder("Hello");
        var soFar = new TextSoFar(answer);
        Assert.Equal("Hello", soFar.ToString());
        Assert.Equal(5, soFar.Length);

        answer.Append(", world");
        Assert.Equal("Hello, world", soFar.ToString());
        Assert.Equal(soFar.ToString().Length, soFar.Length);
    }

    [Fact]
    public void Under_a_preface_it_reads_as_the_delivered_reply_does()
    {
        var soFar = new TextSoFar(new StringBuilder("It is a cat.")).UnderPreface("🖼 Photo");
        Assert.Equal("🖼 Photo\n\nIt is a cat.", soFar.ToString());
        Assert.Equal(soFar.ToString().Length, soFar.Length);
        Assert.Equal("It is a cat.", soFar.UnderPreface(null).ToString());
        Assert.Equal(soFar.ToString(), TextSoFar.Prefaced("🖼 Photo", "It is a cat."));
    }
}
