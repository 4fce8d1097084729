using Microsoft.Extensions.Options;

namespace Assistant.Api.Limits;

/// <summary>Limits of the HTTP surface. Section <c>Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Largest request body accepted (the Telegram webhook excepted: its own 1 MB); larger ones get 413 before they are read. Default 64 KB.</summary>
    public long MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Wrong admin keys one client address may send in a minute; past it every admin-key request from that address gets 429. Default 10.</summary>
    public int FailedAuthPerMinute { get; set; } = 10;
}

internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBodyBytes < 1024)
        {
            failures.Add($"Api:MaxBodyBytes must be at least 1024 (was {options.MaxBodyBytes})");
        }

        if (options.FailedAuthPerMinute < 1)
        {
            failures.Add($"Api:FailedAuthPerMinute must be at least 1 (was {options.FailedAuthPerMinute})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
