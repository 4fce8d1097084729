using Assistant.Api;
using Assistant.Sessions;
using Assistant.Telegram;
using Assistant.Silo.Hosting;
using Orleans.Dashboard;

namespace Assistant.Silo;

/// <summary>The whole service in one process: the Orleans silo and its HTTP front end.</summary>
public static class AssistantApp
{
    public static WebApplication Build(string[] args)
    {
        // appsettings.json ships next to the binaries; data/, logs/ and backup/ follow the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddTelegramSecrets();
        builder.AddAssistantLogging();
        builder.AddAssistantStorage();
        builder.AddAssistantOrleans();
        builder.AddAssistantHttp();
        builder.Services.AddChatSessions();
        builder.Services.AddTelegramChannel();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapAssistantApi();
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        return app;
    }
}
