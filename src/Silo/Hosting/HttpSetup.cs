using System.Text.Json;
using System.Text.Json.Serialization;
using Assistant.Api.Health;
using Assistant.Health;
using Microsoft.Extensions.Options;

namespace Assistant.Silo.Hosting;

public static class HttpSetup
{
    /// <summary>
    /// The address Kestrel listens on when none of the standard settings gives one: loopback only
    /// (Kestrel binds 127.0.0.1 and ::1), so an unconfigured service is not open to the network.
    /// </summary>
    public const string DefaultUrl = "http://localhost:9000";

    /// <summary>
    /// The HTTP front end: port 9000 unless <c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>HTTP_PORTS</c> or a
    /// <c>Kestrel:Endpoints</c> section says otherwise; snake_case JSON; problem bodies; health checks.
    /// </summary>
    public static WebApplicationBuilder AddAssistantHttp(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (ProtectedMode.Configured(configuration).Count == 0)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        ProtectedMode.Check(configuration, ProtectedMode.Urls(configuration, DefaultUrl));

        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        builder.Services.AddProblemDetails();

        builder.Services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section)
            .Validate(o => o.TimeoutSeconds > 0, "Health:TimeoutSeconds must be greater than 0")
            .Validate(o => o.CacheSeconds is >= 0 and <= 60, "Health:CacheSeconds must be between 0 and 60").ValidateOnStart();
        // A bad value is named by the validation above, at start; here it must not throw first.
        var seconds = configuration.GetSection(HealthOptions.Section).Get<HealthOptions>()?.TimeoutSeconds ?? 5;
        var timeout = TimeSpan.FromSeconds(seconds > 0 ? seconds : 5);
        builder.Services.AddHealthChecks()
            .AddCheck<GrainCallHealthCheck>(GrainCallHealthCheck.Name, tags: [HealthApi.HealthTag, HealthApi.ReadyTag], timeout: timeout)
            .AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, tags: [HealthApi.HealthTag, HealthApi.ReadyTag], timeout: timeout)
            .AddCheck<SiloActiveHealthCheck>(SiloActiveHealthCheck.Name, tags: [HealthApi.ReadyTag], timeout: timeout)
            .AddCheck<NotRestartingHealthCheck>(NotRestartingHealthCheck.Name, tags: [HealthApi.ReadyTag], timeout: timeout);

        // Kestrel answers while the silo is still joining: /health/live says the process is up,
        // /health/ready says whether it can serve. The schema is migrated in the "starting" phase, before any of them.
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        return builder;
    }
}
