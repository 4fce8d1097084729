using System.Net.Http;
using System.Net.Sockets;
using Assistant.Logs;
using Microsoft.Data.Sqlite;

namespace Assistant.UnitTests.Logs;

public sealed class ErrorCategoryTests
{
    public static TheoryData<Exception, string?> Exceptions => new()
    {
        { new SqliteException("SQLite Error 5: 'database is locked'.", 5), "DatabaseError" },
        { new Npgsql.NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)), "DatabaseError" }, // the database, though by connection
        { new Orleans.Storage.InconsistentStateException("ETag mismatch"), "DatabaseError" },
        { new TimeoutException("The operation has timed out."), "TimeoutError" },
        { new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException("A task was canceled.")), "TimeoutError" },
        { new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused)), "ConnectionError" },
        { new InvalidOperationException("wrapped", new SocketException((int)SocketError.ConnectionReset)), "ConnectionError" },
        { new OutOfMemoryException(), "MemoryError" },
        { new HttpRequestException("Response status code does not indicate success: 500 (Internal Server Error)."), null },
        { new ArgumentException("bad input"), null },
        { new OperationCanceledException(), null }, // a cancellation is no failure of the guide's kinds
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Exceptions_fall_in_the_guides_categories_by_what_they_and_their_causes_are(Exception exception, string? category) =>
        Assert.Equal(category, ErrorCategory.Of(exception));

    [Theory]
    [InlineData("timeout", "TimeoutError")]
    [InlineData("connection_failed", "ConnectionError")]
    [InlineData("SQLite Error 5: 'database is locked'.", "DatabaseError")]
    [InlineData("no answer within Monitoring:AlertDeliveryTimeoutSeconds (10 s)", "TimeoutError")]
    [InlineData("rate_limited", null)]
    [InlineData("server_error", null)]
    [InlineData("", null)]
    public void A_line_without_an_exception_is_placed_by_the_failure_it_names(string failure, string? category) =>
        Assert.Equal(category, ErrorCategory.Of(failure));
}
