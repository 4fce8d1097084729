using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Assistant.Models;
using Polly.Timeout;

namespace Assistant.UnitTests.Models;

public sealed class ModelFailureTests
{
    public static TheoryData<Exception, string> Failures => new()
    {
        { new HttpRequestException("too many", null, HttpStatusCode.TooManyRequests), ModelFailure.RateLimited },
        { new HttpRequestException("boom", null, HttpStatusCode.BadGateway), ModelFailure.ServerError },
        { new HttpRequestException("nope", null, HttpStatusCode.Unauthorized), ModelFailure.Unauthorized },
        { new HttpRequestException("no model", null, HttpStatusCode.NotFound), ModelFailure.Rejected },
        { new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)), ModelFailure.ConnectionFailed },
        { new InvalidOperationException("wrapped", new TimeoutRejectedException("attempt timed out")), ModelFailure.Timeout },
        { new JsonException("bad json"), ModelFailure.InvalidResponse },
        { new NotSupportedException("odd"), ModelFailure.Unknown },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Exceptions_are_classified_by_what_they_and_their_causes_say(Exception exception, string kind) =>
        Assert.Equal(kind, ModelFailure.Classify(exception));

    [Theory]
    [InlineData(ModelFailure.RateLimited, "429")]
    [InlineData(ModelFailure.ServerError, "5xx")]
    [InlineData(ModelFailure.Timeout, "too long")]
    [InlineData(ModelFailure.ConnectionFailed, "couldn't reach")]
    [InlineData(ModelFailure.Unauthorized, "AI__ApiKey")]
    public void Each_apology_names_its_failure_and_says_the_message_was_kept(string kind, string words)
    {
        var apology = ModelFailure.Apology(kind);
        Assert.Contains(words, apology);
        Assert.Contains("your message has been kept", apology, StringComparison.OrdinalIgnoreCase);
    }
}
