using Assistant.Storage;
using Microsoft.Extensions.Options;

namespace Assistant.Silo.Hosting;

/// <summary>Turns what stopped start-up into the one line an operator needs.</summary>
public static class StartupErrors
{
    /// <returns>The operator's line, or null when the exception is not a start-up problem we can name.</returns>
    public static string? Describe(Exception exception) => exception switch
    {
        StartupFailureException failure => failure.Message,
        OptionsValidationException validation => string.Join("; ", validation.Failures),
        AggregateException aggregate when aggregate.InnerExceptions.All(e => Describe(e) is not null)
            => string.Join("; ", aggregate.InnerExceptions.Select(e => Describe(e))),
        InvalidOperationException { Message: var m } when m.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => m,
        InvalidOperationException { InnerException: { } inner } when Describe(inner) is { } line => line,
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } socket
            => $"a port is already in use ({socket.Message}); check --urls / ASPNETCORE_URLS, Cluster:SiloPort and Cluster:GatewayPort",
        IOException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } } io
            => $"{io.Message}; check --urls / ASPNETCORE_URLS or stop the other instance (scripts/stop.sh)",
        FormatException format when format.StackTrace?.Contains("BindingAddress", StringComparison.Ordinal) == true
            => $"the HTTP address is not valid ({format.Message}); check --urls / ASPNETCORE_URLS",
        _ => null,
    };
}
