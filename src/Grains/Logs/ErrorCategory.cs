using System.Data.Common;
using System.Net.Http;
using System.Net.Sockets;
using Orleans.Storage;

namespace Assistant.Logs;

/// <summary>
/// The operations guide's "common error patterns": which of <c>ConnectionError</c>, <c>TimeoutError</c>,
/// <c>MemoryError</c> and <c>DatabaseError</c> a failure is, from its exception (and the exceptions
/// it wraps) or, where a line carries no exception, from the failure it names (our failure kinds
/// <c>timeout</c> and <c>connection_failed</c>, or the text of the reason). Null for any other failure.
/// </summary>
public static class ErrorCategory
{
    public const string Connection = "ConnectionError";
    public const string Timeout = "TimeoutError";
    public const string Memory = "MemoryError";
    public const string Database = "DatabaseError";

    public static readonly IReadOnlyList<string> All = [Connection, Timeout, Memory, Database];

    public static string? Of(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case OutOfMemoryException or InsufficientMemoryException:
                    return Memory;
                case DbException or InconsistentStateException:
                    return Database; // a database that refuses, is locked or cannot be reached, and a storage write that lost a race
                case TimeoutException:
                    return Timeout;
                case SocketException:
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                    return Connection;
            }
        }

        return exception is OperationCanceledException { InnerException: null } ? null : Of(exception?.Message);
    }

    /// <summary>From a failure's name or reason as a line carries it: a failure kind, or an exception's message.</summary>
    public static string? Of(string? failure)
    {
        if (string.IsNullOrEmpty(failure))
        {
            return null;
        }

        bool Has(string word) => failure.Contains(word, StringComparison.OrdinalIgnoreCase);
        return failure switch
        {
            _ when Has("out of memory") || Has("OutOfMemory") => Memory,
            _ when Has("database is locked") || Has("SQLite Error") || Has("database") || Has("Npgsql") => Database,
            _ when failure == "timeout" || Has("timed out") || Has("timeout") => Timeout,
            _ when failure == "connection_failed" || Has("connection refused") || Has("could not connect") || Has("No such host") || Has("connection reset") => Connection,
            _ => null,
        };
    }
}
