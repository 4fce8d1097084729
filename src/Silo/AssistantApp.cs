using Microsoft.AspNetCore.HttpOverrides;
using Assistant.Api.Limits;
using Assistant.Api;
using Assistant.Api.Admin;
using Assistant.Maintenance;
using Assistant.Monitoring;
using Assistant.Sessions;
using Assistant.Telegram;
using Assistant.Silo.Hosting;

namespace Assistant.Silo;

/// <summary>The whole service in one process: the Orleans silo and its HTTP front end.</summary>
public static class AssistantApp
{
    /// <param name="args">Command-line arguments (configuration keys as <c>--Section:Key=value</c>).</param>
    /// <param name="overrideServices">Runs after every registration, to replace a service (a test's fake clock or sampler).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? overrideServices = null)
    {
        // appsettings.json ships next to the binaries; data/, logs/ and backup/ follow the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddTelegramSecrets();
        CpuAffinity.Apply(builder.Configuration.GetSection(CpuAffinity.Setting).Get<int[]>() ?? []); // before the host makes its threads

        // Under systemd (Type=notify) the unit is ready once the host has started, that is once the
        // silo is active in the cluster; elsewhere this does nothing.
        builder.Host.UseSystemd();
        builder.AddAssistantLogging();
        builder.AddAssistantStorage();
        builder.AddAssistantOrleans();
        builder.AddAssistantHttp();
        builder.AddAssistantTelemetry();
        builder.Services.AddChatSessions();
        builder.Services.AddTelegramChannel();
        builder.Services.AddMonitoring();
        builder.Services.AddMaintenance();
        builder.Services.AddAssistantApi();
        overrideServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.LogLifecycle();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBodyLimit();

        // Behind a reverse proxy on this machine (the documented set-up) the client's address is
        // the forwarded one; the defaults trust loopback proxies only, so nobody else can forge it.
        // Every loopback hop is unwrapped (no ForwardLimit): behind two proxies on this machine the
        // client is the first address neither of them is.
        app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = null });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapAssistantApi();
        app.MapAssistantMetrics().RequireAdminKeyWhenConfigured();
        if (OrleansSetup.DashboardEnabled(app.Configuration))
        {
            app.UseOrleansDashboardOnFirstUse();
        }

        return app;
    }

    /// <summary>
    /// Checks every setting before anything starts. The host would check them too, but only after
    /// it has built its hosted services, and Orleans' silo reads some settings while being built:
    /// a bad one would then surface as "Hosting failed to start" with a stack trace, not as one line.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is bad; the message names it.</exception>
    public static void ValidateSettings(this WebApplication app) =>
        app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
}
